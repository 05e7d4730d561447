import Foundation
import Testing

/// The engine the integration tests run servers on. With `AEROLITH_TEST_STORAGE=postgres` (and
/// `AEROLITH_TEST_POSTGRES_URL`, e.g. the URL `.ci/postgres start DIR` prints) every server gets
/// a fresh PostgreSQL database of its own; otherwise each keeps SQLite in its data directory.
enum TestStorage {
    static let environment = ProcessInfo.processInfo.environment
    static let isPostgres = environment["AEROLITH_TEST_STORAGE"] == "postgres"
    static let postgresURL = environment["AEROLITH_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// Why a test runs on SQLite only, when the suite runs on PostgreSQL.
    static let sqliteOnly: Comment = "checks SQLite's files in the data directory; this run stores on PostgreSQL"
    /// Whether tests that start PostgreSQL clusters of their own run: once, in the run with
    /// PostgreSQL available whose other servers are on SQLite.
    static let ownsPostgresClusters = postgresURL != nil && !isPostgres
    static let ownClusterReason: Comment =
        "runs once, in the run with AEROLITH_TEST_POSTGRES_URL set and servers on SQLite: it starts and stops a PostgreSQL cluster of its own"
    /// Why a test runs on PostgreSQL only.
    static let severalNodes: Comment = "several nodes share a PostgreSQL database; an embedded SQLite directory belongs to one process"

    /// Whether an `explain` plan shows the index `name` serving the query. PostgreSQL's planner
    /// scans a table as small as a test's sequentially, so there only a plan is required;
    /// `PostgresIndexAndStartupTests` shows EXPLAIN using an index on a larger one.
    static func planUsesIndex(_ plan: [String]?, named name: String) -> Bool {
        guard let text = plan?.joined(separator: "\n"), !text.isEmpty else { return false }
        return isPostgres || (text.contains("USING INDEX") && text.contains("_ix_\(name)"))
    }

    /// `--storage` arguments for a new server: a database created for it, or none on SQLite.
    static func serverArguments() throws -> [String] {
        guard isPostgres else { return [] }
        guard let postgresURL else { throw TestFailure("AEROLITH_TEST_STORAGE=postgres needs AEROLITH_TEST_POSTGRES_URL") }
        let database = "aerolith_it_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(postgresURL, "CREATE DATABASE \(database)")
        return ["--storage", try url(postgresURL, database: database)]
    }

    /// `server` with its database path replaced by `database`.
    static func url(_ server: String, database: String) throws -> String {
        guard var components = URLComponents(string: server) else { throw TestFailure("not a URL: \(server)") }
        components.path = "/" + database
        guard let url = components.string else { throw TestFailure("cannot name database \(database) in \(server)") }
        return url
    }

    /// Runs one SQL command with `psql`.
    static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", url, "--command", sql]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw TestFailure("psql \(sql): \(message)")
        }
    }
}
