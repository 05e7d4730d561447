import AerolithJSON
import AerolithStorage
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `aerolith migrate-storage` as an operator runs it: a real server's data directory copied into
/// a fresh PostgreSQL database, a run killed part-way and run again, a run on a finished copy,
/// bad input refused with stable codes, and the server started on the copy serving the same
/// documents and versions.
@Suite(
    .enabled(if: TestStorage.postgresURL != nil && !TestStorage.isPostgres, "needs AEROLITH_TEST_POSTGRES_URL; servers on SQLite"),
    .serialized, .timeLimit(.minutes(5)))
struct MigrateStorageCLITests {
    static let bulkDocuments = 3_000

    @Test func copiesADataDirectoryResumesAfterAKillAndServesTheCopy() async throws {
        let postgres = try #require(TestStorage.postgresURL)
        let server = try await ServerProcess()
        let admin = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": try server.adminKey]
        let tenant = try CLITests.aerolith(["tenant", "create", "Acme", "--json"], environment: admin)
        let tenantID = try #require(tenant.json["id"] as? String, "\(tenant.stderr)")
        let key = try CLITests.aerolith(["key", "create", "--tenant", tenantID, "--name", "ci", "--json"], environment: admin)
        let secret = try #require(key.json["key"] as? String)
        let user = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": secret]
        #expect(try CLITests.aerolith(["collection", "create", "notes"], environment: user).status == 0)
        #expect(try CLITests.aerolith(["index", "create", "notes", "byTitle", "--paths", "title"], environment: user).status == 0)
        #expect(try CLITests.aerolith(["doc", "put", "notes", "n1", "--data", #"{"title":"one"}"#], environment: user).status == 0)
        let second = try CLITests.aerolith(
            ["doc", "put", "notes", "n1", "--data", #"{"title":"two","n":1.50}"#, "--json"], environment: user)
        #expect(second.json["version"] as? Int == 2)
        #expect(server.stop() == 0)

        // More documents and key values straight into the stopped server's store.
        let store = try SQLiteDocumentStore(directory: server.dataDirectory)
        let placement = try Placement(tablePrefix: tenantID)
        let bulk = try CollectionName("bulk")
        _ = try await store.createCollection(bulk, in: placement)
        for number in 0..<Self.bulkDocuments {
            _ = try await store.insert(
                JSONObject(members: [.init(key: "number", value: .number(JSONNumber(Int64(number))))]),
                id: try DocumentID(String(format: "b%05d", number)), into: bulk, in: placement)
        }
        try store.keyValues.put(namespace: "plugin.test", key: [0, 1], value: Array("state".utf8))
        try await store.flush()
        let database = server.dataDirectory + "/aerolith.db"
        let sourceBytes = try Data(contentsOf: URL(fileURLWithPath: database))

        let name = "aerolith_mig_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try TestStorage.psql(postgres, "CREATE DATABASE \(name)")
        let target = try TestStorage.url(postgres, database: name)
        let from = "sqlite:" + server.dataDirectory

        // Bad input: a stable code, a usage exit status, nothing changed.
        try Self.expectRefused(["--from", server.dataDirectory, "--to", target], status: 2, code: "invalid_argument")
        try Self.expectRefused(["--from", from, "--to", "mysql://u:p@127.0.0.1/db"], status: 2, code: "invalid_argument")
        try Self.expectRefused(["--from", from, "--to", "sqlite:/tmp/elsewhere"], status: 2, code: "invalid_argument")
        let missing = NSTemporaryDirectory() + "aerolith-missing-\(UUID().uuidString)"
        try Self.expectRefused(["--from", "sqlite:" + missing, "--to", target], status: 2, code: "invalid_data_dir")
        #expect(!FileManager.default.fileExists(atPath: missing))
        let unreachable = "postgres://aerolith:x@127.0.0.1:\(try ServerProcess.freePort())/\(name)"
        try Self.expectRefused(["--from", from, "--to", unreachable], status: 3, code: "storage_unavailable")
        var wrongPassword = try #require(URLComponents(string: target))
        wrongPassword.password = "wrong-password"
        let refusedLogin = try Self.expectRefused(
            ["--from", from, "--to", try #require(wrongPassword.string)], status: 2, code: "storage_failure")
        #expect(refusedLogin.contains("refused the login") && !refusedLogin.contains("wrong-password"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == sourceBytes)

        // Killed part-way through the bulk collection.
        let killed = try Self.runUntilKilled(
            ["migrate-storage", "--from", from, "--to", target, "--batch-size", "10"], after: "/bulk: 200/")
        #expect(killed.contains("/bulk: 200/") && !killed.contains("verifying"), "\(killed)")

        let resumed = try CLITests.aerolith(["migrate-storage", "--from", from, "--to", target, "--batch-size", "100"])
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("/bulk: \(Self.bulkDocuments) documents, resuming after"))
        #expect(resumed.stdout.contains("all verified equal") && !resumed.stdout.contains("DIFFERENT"))
        #expect(resumed.stdout.contains("sys/") && resumed.stdout.contains("kv:plugin.test"))

        let again = try CLITests.aerolith(["migrate-storage", "--from", from, "--to", target])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 documents copied") && again.stdout.contains("0 entries copied"))
        #expect(again.stdout.contains("all verified equal") && !again.stdout.contains(", copying"))

        // The server on the copy: same key, same document, same version.
        try await server.start(arguments: ["--storage", target])
        let served = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": secret]
        let document = try CLITests.aerolith(["doc", "get", "notes", "n1", "--json"], environment: served)
        #expect(document.status == 0 && document.json["version"] as? Int == 2, "\(document.stdout) \(document.stderr)")
        #expect(document.stdout.contains("1.50"))
        let count = try CLITests.aerolith(["collection", "list", "--json"], environment: served)
        #expect(count.stdout.contains("\(Self.bulkDocuments)"))
        // The copy is in use now: migrating into it again would merge two histories, and is refused.
        #expect(try CLITests.aerolith(["doc", "put", "notes", "n2", "--data", "{}"], environment: served).status == 0)
        server.stop()
        try Self.expectRefused(["--from", from, "--to", target], status: 1, code: "migration_target_conflict")
        try? TestStorage.psql(postgres, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs `aerolith migrate-storage ARGUMENTS`, expects `status` and `code` on standard error; returns standard error.
    @discardableResult
    static func expectRefused(_ arguments: [String], status: Int32, code: String) throws -> String {
        let run = try CLITests.aerolith(["migrate-storage"] + arguments)
        #expect(run.status == status && run.stderr.contains("error: \(code):"), "\(arguments): \(run.status) \(run.stderr)")
        return run.stderr
    }

    /// Runs the binary until its standard output shows `marker`, then kills it with SIGKILL;
    /// returns what it printed.
    static func runUntilKilled(_ arguments: [String], after marker: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AEROLITH_") }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var printed = Data()
        while true {
            let chunk = out.fileHandleForReading.availableData
            printed.append(chunk)
            if chunk.isEmpty || String(decoding: printed, as: UTF8.self).contains(marker) { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return String(decoding: printed, as: UTF8.self)
    }
}
