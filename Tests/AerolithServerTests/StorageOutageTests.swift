import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server that goes away while Aerolith runs, and comes back: requests meanwhile
/// are answered 503 `storage_unavailable` with `Retry-After`, readiness fails, and the node
/// recovers by itself with every acknowledged write intact. The test stops and starts a cluster
/// of its own (with `.ci/postgres`), so it runs once, in the run whose other servers are on SQLite.
@Suite(.enabled(if: TestStorage.ownsPostgresClusters, TestStorage.ownClusterReason), .timeLimit(.minutes(3)))
struct StorageOutageTests {
    static let script = PluginHookTests.repository + "/.ci/postgres"
    /// The longest the node may take to serve again once the database is back.
    static let recoverySecondsMax = 30.0

    /// Runs `.ci/postgres COMMAND DIR [PRIMARY_DIR]`, returning its last line of output (the URL,
    /// for start and replica). Spawned and waited for with `waitpid`: the server it starts outlives
    /// it, and Foundation's `Process` can miss the exit of a child whose own children live on.
    @discardableResult
    static func cluster(_ command: String, _ directory: String, from primary: String? = nil) throws -> String {
        let output = directory + ".out"
        let arguments =
            ["/bin/bash", "-c", "out=$1; shift; \"$0\" \"$@\" > \"$out\" 2>&1", script, output, command, directory]
            + (primary.map { [$0] } ?? [])
        var pid: pid_t = 0
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/bash", nil, nil, &argv, environ) == 0 else { throw TestFailure("cannot run \(script)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw TestFailure(".ci/postgres \(command) failed (\(status)): \(text)") }
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test func anOutageAnswers503AndTheNodeRecoversWithEveryAcknowledgedWrite() async throws {
        let directory = "/tmp/aerolith-outage-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let server = try Self.cluster("start", directory)
        defer {
            _ = try? Self.cluster("stop", directory)
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: directory + ".out")
        }
        try TestStorage.psql(server, "CREATE DATABASE aerolith_outage")
        let node = try await ServerProcess(arguments: ["--storage", try TestStorage.url(server, database: "aerolith_outage")])
        defer { _ = node.stop() }
        let tenant = try await TenantFixture.make(server: node)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201)
        var acknowledged: [String] = []
        for index in 0..<20 {
            let created = try await tenant.send(.POST, "/v1/collections/notes/documents", body: #"{"n":\#(index)}"#)
            #expect(created.status == 201)
            if let id = created.string("id") { acknowledged.append(id) }
        }

        try Self.cluster("stop", directory)
        let during: HTTP.Reply
        do {
            during = try await tenant.send(.GET, "/v1/collections/notes/documents/\(acknowledged[0])")
        } catch {
            Issue.record("no answer during the outage: \(error)\n\(node.log.suffix(3_000))")
            return
        }
        #expect(during.status == 503 && during.code == "storage_unavailable", "during the outage: \(during.status) \(during.body)")
        #expect(Int(during.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
        let write = try await tenant.send(.POST, "/v1/collections/notes/documents", body: #"{"n":-1}"#)
        #expect(write.status == 503 && write.code == "storage_unavailable")
        #expect(try await HTTP.send(.GET, node.baseURL + "/health/ready").status == 503)

        try Self.cluster("start", directory)
        let start = Date()
        do {
            try await PluginHookTests.eventually("the node to serve again", timeoutSeconds: Self.recoverySecondsMax) {
                try await tenant.send(.GET, "/v1/collections/notes/documents/\(acknowledged[0])").status == 200
            }
        } catch {
            Issue.record("\(error)\n\(node.log.suffix(4_000))")
            return
        }
        let seconds = Date().timeIntervalSince(start)
        #expect(try await HTTP.send(.GET, node.baseURL + "/health/ready").status == 200)
        for id in acknowledged {
            #expect(try await tenant.send(.GET, "/v1/collections/notes/documents/\(id)").status == 200, "lost \(id)")
        }
        let listed = try await tenant.send(.GET, "/v1/collections/notes")
        #expect(listed.json["document_count"] as? Int == acknowledged.count, "after recovery (\(seconds) s): \(listed.body)")
        #expect(try await tenant.send(.POST, "/v1/collections/notes/documents", body: #"{"n":20}"#).status == 201)
    }
}
