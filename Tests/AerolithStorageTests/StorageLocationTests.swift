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
        #expect(try PostgresTarget(url: "postgres://ann@db/docs?statement_timeout_ms=250").statementTimeoutMilliseconds == 250)
        #expect(try PostgresTarget(url: "postgres://ann@db/docs").statementTimeoutMilliseconds == nil)
        #expect("\(target)" == "db.internal:6543/docs", "a target never shows its password")
    }

    @Test func multiHostURLsNameAPrimaryAndItsStandbys() throws {
        let target = try PostgresTarget(url: "postgres://ann:pw@10.0.0.1:5432,10.0.0.2,[::1]:6000/docs?target_session_attrs=read-write")
        #expect(target.hosts.map(\.description) == ["10.0.0.1:5432", "10.0.0.2:5432", "[::1]:6000"])
        #expect(target.requiresPrimary && target.username == "ann" && target.password == "pw" && target.database == "docs")
        #expect("\(target)" == "10.0.0.1:5432,10.0.0.2:5432,[::1]:6000/docs")
        #expect(try !PostgresTarget(url: "postgres://ann@a,b/docs").requiresPrimary)
        #expect(throws: StorageError.self) { _ = try PostgresTarget(url: "postgres://ann@a,:5/docs") }
        #expect(throws: StorageError.self) { _ = try PostgresTarget(url: "postgres://ann@a,b:99999/docs") }
        #expect(throws: StorageError.self) { _ = try PostgresTarget(url: "postgres://ann@a/docs?target_session_attrs=standby") }
    }

    @Test func replicasAndTheirLagBoundAreOptIn() throws {
        let target = try PostgresTarget(url: "postgres://ann@db:5432/docs?replicas=r1:5433,r2&replica_lag_max_ms=250")
        #expect(target.replicas.map(\.description) == ["r1:5433", "r2:5432"] && target.replicaLagMaxMilliseconds == 250)
        #expect(
            try PostgresTarget(url: "postgres://ann@db/docs?replicas=r1").replicaLagMaxMilliseconds
                == PostgresReplicas.lagMaxMillisecondsDefault)
        #expect(try PostgresTarget(url: "postgres://ann@db/docs").replicas.isEmpty, "without replicas every read goes to the primary")
    }

    @Test(arguments: [
        "postgres://ann@db/docs?replica_lag_max_ms=500", "postgres://ann@db/docs?replicas=r1&replica_lag_max_ms=10",
        "postgres://ann@db/docs?replicas=r1&replica_lag_max_ms=soon", "postgres://ann@db:5432/docs?replicas=db:5432",
        "postgres://ann@db/docs?replicas=r1,", "postgres://ann@db/docs?replicas=r1:0",
    ])
    func badReplicaParametersAreInvalidConfiguration(_ url: String) {
        do {
            _ = try PostgresTarget(url: url)
            Issue.record("\(url) was accepted")
        } catch {
            #expect(error.code == .invalidStorageConfiguration, "\(url): \(error)")
        }
    }

    @Test(arguments: [
        "postgres://ann@db/docs?connections_max=0", "postgres://ann@db/docs?connections_max=many",
        "postgres://ann@db/docs?connect_timeout_ms=-1", "postgres://ann@db/docs?sslmode=sometimes",
        "postgres://ann@db/docs?application_name=x", "postgres://ann@db/docs?statement_timeout_ms=0",
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
