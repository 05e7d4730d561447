import AerolithJSON
import AerolithStorage
import Foundation
import Testing

/// Reads on a streaming replica (`replicas=` in the URL): used while within `replica_lag_max_ms`,
/// never for a read that would miss this node's own write, set aside when behind or gone. The
/// tests start a primary and a replica of their own (`.ci/postgres start` and `replica`), so they
/// run once, in the run whose other servers are on SQLite.
@Suite(.enabled(if: TestStorage.ownsPostgresClusters, TestStorage.ownClusterReason), .timeLimit(.minutes(4)))
struct ReplicaReadTests {
    static let lagMaxMilliseconds = 3_000
    static let database = "aerolith_replicas"

    /// A primary and its streaming replica, each a cluster of its own, removed afterwards.
    struct Pair {
        let primaryURL: String
        let replicaURL: String
        let replicaDirectory: String

        /// The store's URL: the primary's database, reads allowed on the replica.
        var storageURL: String {
            get throws {
                let port = URLComponents(string: replicaURL)?.port ?? 0
                return try TestStorage.url(primaryURL, database: ReplicaReadTests.database)
                    + "?sslmode=disable&replicas=127.0.0.1:\(port)&replica_lag_max_ms=\(ReplicaReadTests.lagMaxMilliseconds)"
            }
        }

        func onReplica(_ sql: String) throws { try TestStorage.psql(replicaURL, sql) }
    }

    static func withPair(_ body: (Pair) async throws -> Void) async throws {
        let base = "/tmp/aerolith-replica-\(UUID().uuidString.prefix(8))"
        let primary = base + "-primary"
        let replica = base + "-replica"
        for directory in [primary, replica] {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        defer {
            for directory in [replica, primary] {
                _ = try? StorageOutageTests.cluster("stop", directory)
                try? FileManager.default.removeItem(atPath: directory)
                try? FileManager.default.removeItem(atPath: directory + ".out")
            }
        }
        let primaryURL = try StorageOutageTests.cluster("start", primary)
        try TestStorage.psql(primaryURL, "CREATE DATABASE \(database)")
        let replicaURL = try StorageOutageTests.cluster("replica", replica, from: primary)
        try await body(Pair(primaryURL: primaryURL, replicaURL: replicaURL, replicaDirectory: replica))
    }

    static func usable(_ store: PostgresDocumentStore) -> Bool { store.replicaStatuses().first?.usable == true }

    /// Two nodes' stores on `url`, closed afterwards whether `body` throws or not.
    static func withTwoNodes(_ url: String, _ body: (PostgresDocumentStore, PostgresDocumentStore) async throws -> Void) async throws {
        let writer = try await PostgresDocumentStore.open(url: url)
        let reader = try await PostgresDocumentStore.open(url: url)
        let outcome: Result<Void, any Error>
        do {
            try await body(writer, reader)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await writer.close()
        await reader.close()
        try outcome.get()
    }

    @Test func aNodeReadsItsOwnWritesAndOtherNodesReadWithinTheBound() async throws {
        try await Self.withPair { pair in
            try await Self.withTwoNodes(try pair.storageURL) { writer, reader in
                let placement = try Placement(tablePrefix: "t_replica")
                let notes = try CollectionName("notes")
                _ = try await writer.createCollection(notes, in: placement)
                try await PluginHookTests.eventually("the replica in use on both nodes") { Self.usable(writer) && Self.usable(reader) }

                // Read-your-writes: every read right after this node's write sees it.
                for index in 0..<40 {
                    let document = try await writer.insert(
                        JSONObject(members: [.init(key: "n", value: .integer(Int64(index)))]), id: nil, into: notes, in: placement)
                    let read = try await writer.findDocument(try DocumentID(document.id), in: notes, placement: placement)
                    #expect(read?.version == 1, "write \(index) not read back")
                }
                // Once the replica has them, reads go there.
                try await PluginHookTests.eventually("reads served by the replica") {
                    _ = try await writer.query(Query(limit: 10), in: notes, placement: placement)
                    return writer.replicaStatuses().first?.reads ?? 0 > 0
                }

                // Another node reads from the replica while it is within the bound, so it may
                // miss a write; once the replica is further behind, from the primary.
                try pair.onReplica("SELECT pg_wal_replay_pause()")
                try await Task.sleep(for: .milliseconds(300))
                let late = try await writer.insert(
                    JSONObject(members: [.init(key: "late", value: .bool(true))]), id: nil, into: notes, in: placement)
                let lateID = try DocumentID(late.id)
                #expect(try await writer.findDocument(lateID, in: notes, placement: placement) != nil, "the writer reads its write")
                #expect(
                    try await reader.findDocument(lateID, in: notes, placement: placement) == nil,
                    "the other node read the paused replica within the bound")
                #expect(
                    try await reader.findDocument(lateID, in: notes, placement: placement.readingFromPrimary) != nil,
                    "a placement reading from the primary is never stale")
                try await PluginHookTests.eventually("the other node to read from the primary", timeoutSeconds: 20) {
                    try await reader.findDocument(lateID, in: notes, placement: placement) != nil
                }
                #expect(!Self.usable(reader))
                #expect(reader.replicaStatuses().first?.lagMilliseconds ?? Self.lagMaxMilliseconds + 1 > Self.lagMaxMilliseconds)

                try pair.onReplica("SELECT pg_wal_replay_resume()")
                try await PluginHookTests.eventually("the replica in use again") { Self.usable(reader) }

                // A replica that goes away: reads carry on on the primary.
                try StorageOutageTests.cluster("stop", pair.replicaDirectory)
                let count = try await reader.query(Query(limit: 100), in: notes, placement: placement).documents.count
                #expect(count == 41)
                try await PluginHookTests.eventually("the stopped replica set aside") { !Self.usable(reader) }
                #expect(try await reader.findDocument(lateID, in: notes, placement: placement) != nil)
            }
        }
    }

    @Test func overHTTPEveryWriteIsReadBackAndReadsReachTheReplica() async throws {
        try await Self.withPair { pair in
            let node = try await ServerProcess(arguments: ["--storage", try pair.storageURL] + ServerProcess.metricsArguments)
            defer { _ = node.stop() }
            let tenant = try await TenantFixture.make(server: node)
            #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201)
            var ids: [String] = []
            for index in 0..<30 {
                let created = try await tenant.send(.POST, "/v1/collections/notes/documents", body: #"{"n":\#(index)}"#)
                let id = try #require(created.string("id"))
                ids.append(id)
                let read = try await tenant.send(.GET, "/v1/collections/notes/documents/\(id)")
                #expect(read.status == 200, "write \(index) not read back: \(read.status) \(read.body)")
            }
            do {
                try await PluginHookTests.eventually("reads served by the replica") {
                    for id in ids.prefix(5) {
                        #expect(try await tenant.send(.GET, "/v1/collections/notes/documents/\(id)").status == 200)
                    }
                    return try await Self.replicaReads(node) > 0
                }
            } catch {
                Issue.record("\(error)\n\(try await node.metrics().body.suffix(1_000))\n\(node.log.suffix(3_000))")
            }
        }
    }

    /// The replica reads a node's metrics count.
    static func replicaReads(_ node: ServerProcess) async throws -> Int {
        let metrics = try await node.metrics().body
        return metrics.split(separator: "\n").filter { $0.hasPrefix("aerolith_storage_replica_reads_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
    }
}
