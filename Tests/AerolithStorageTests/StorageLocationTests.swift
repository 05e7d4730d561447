import Testing

@testable import AerolithStorage

/// Storage URLs: what is accepted, and the code and message of what is not.
@Suite struct StorageLocationTests {
    @Test func sqliteAndPostgresURLsParse() throws {
        #expect(try StorageLocation(parsing: "sqlite:/srv/data") == .sqlite(directory: "/srv/data"))
        let target = try PostgresTarget(url: "postgres://ann:p%40ss@db.internal:6543/docs?sslmode=require&connections_max=32")
        #expect(target.host == "db.internal" && target.port == 6543 && target.database == "docs" && target.password == "p@ss")
        #expect(target.sslMode == .require && target.pool?.connectionsMax == 32)
        #expect(target.pool?.connectTimeoutMilliseconds == PostgresPoolLimits.connectTimeoutMillisecondsDefault)
        #expect(try PostgresTarget(url: "postgres://ann@db/docs?connect_timeout_ms=500").pool?.connectTimeoutMilliseconds == 500)
        #expect(try PostgresTarget(url: "postgres://ann@db/docs").pool == nil)
        #expect("\(target)" == "db.internal:6543/docs", "a target never shows its password")
    }

    @Test(arguments: [
        "postgres://ann@db/docs?connections_max=0", "postgres://ann@db/docs?connections_max=many",
        "postgres://ann@db/docs?connect_timeout_ms=-1", "postgres://ann@db/docs?sslmode=sometimes",
        "postgres://ann@db/docs?application_name=x",
    ])
    func badParametersAreInvalidConfiguration(_ url: String) {
        #expect(throws: StorageError.self) { _ = try PostgresTarget(url: url) }
        do {
            _ = try PostgresTarget(url: url)
        } catch {
            #expect(error.code == .invalidStorageConfiguration, "\(url): \(error)")
        }
    }
}
