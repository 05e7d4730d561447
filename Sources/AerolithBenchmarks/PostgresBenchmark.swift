import AerolithJSON
import AerolithStorage
import Foundation
import Logging

/// PostgreSQL, in one run against one server (`AEROLITH_BENCH_POSTGRES_URL`, a role that may
/// create databases; `bench/postgres.sh` starts a private one):
/// - the storage layer on PostgreSQL against `pgbench` doing the same JSONB insert and point
///   select, into the store's own table, with the same concurrency and durability;
/// - HTTP document create and get with the server on PostgreSQL against the same build on SQLite;
/// - two nodes on one database against one node (on a 2-core machine this shows the cost of a
///   second node, not scaling: both nodes, wrk and PostgreSQL share the same two cores).
enum PostgresBenchmark {
    static let clients = 8
    static let documentCount = 8_000
    /// The longest one pgbench run may take, in seconds: it runs a fixed number of transactions
    /// (the store's count) and is stopped, failing the benchmark, past this.
    static let pgbenchSecondsMax = 300
    static let rounds = 3
    static let targetInsertRatio = 0.5
    static let targetGetRatio = 0.5

    static func run() async throws {
        guard let server = ProcessInfo.processInfo.environment["AEROLITH_BENCH_POSTGRES_URL"], !server.isEmpty else {
            throw BenchmarkError("set AEROLITH_BENCH_POSTGRES_URL (bench/postgres.sh starts a server and sets it)")
        }
        try await storageAgainstPgbench(server: server)
        try await httpAgainstSQLite(server: server)
        try await twoNodesAgainstOne(server: server)
    }

    // MARK: Storage against pgbench

    static func storageAgainstPgbench(server: String) async throws {
        print(
            "== postgres storage: \(clients) concurrent clients, \(documentCount) inserts then \(documentCount) point gets; pgbench -c \(clients) -M prepared, the same counts; best of \(rounds) =="
        )
        var best = (storeInsert: 0.0, storeGet: 0.0, benchInsert: 0.0, benchGet: 0.0)
        for _ in 0..<rounds {
            let database = try BenchDatabase(server: server)
            defer { database.drop() }
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let store = try await PostgresDocumentStore.open(url: database.url, logger: logger)
            let placement = try Placement(tablePrefix: "t_bench")
            let name = try CollectionName("items")
            _ = try await store.createCollection(name, in: placement)
            let body = try object(StorageBenchmark.body(7))
            let ids = try (0..<documentCount).map { try DocumentID("doc-\($0)") }
            let insert = try await concurrently(ids.count) { index in
                _ = try await store.insert(body, id: ids[index], into: name, in: placement)
            }
            let get = try await concurrently(ids.count) { index in
                _ = try await store.document(ids[(index &* 7_919) % ids.count], in: name, placement: placement)
            }
            await store.close()
            let table = try database.psqlValue("SELECT table_name FROM _aerolith_collections WHERE name = 'items'")
            let text = StorageBenchmark.body(7).replacingOccurrences(of: "'", with: "''")
            let insertScript = """
                INSERT INTO "\(table)" (id, body, body_text, version, created_at, updated_at, size_bytes)
                VALUES (gen_random_uuid()::text, '\(text)'::jsonb, '\(text)', 1, 0, 0, \(text.utf8.count)) ON CONFLICT (id) DO NOTHING RETURNING rid;
                """
            let selectScript = """
                \\set n random(0, \(documentCount - 1))
                SELECT body_text, version, created_at, updated_at FROM "\(table)" WHERE id = 'doc-' || :n;
                """
            best.storeInsert = max(best.storeInsert, insert)
            best.storeGet = max(best.storeGet, get)
            best.benchInsert = max(best.benchInsert, try database.pgbench(script: insertScript))
            best.benchGet = max(best.benchGet, try database.pgbench(script: selectScript))
        }
        func ratio(_ value: Double, _ base: Double) -> String { String(format: "%.2f", value / base) }
        print("                       ops/s")
        print("pgbench insert    \(format(best.benchInsert))")
        print(
            "store insert      \(format(best.storeInsert))   ratio \(ratio(best.storeInsert, best.benchInsert)) (target >= \(targetInsertRatio))"
        )
        print("pgbench select    \(format(best.benchGet))")
        print("store get         \(format(best.storeGet))   ratio \(ratio(best.storeGet, best.benchGet)) (target >= \(targetGetRatio))")
    }

    /// Runs `operations` calls of `body` (given 0..<operations) on `clients` tasks; operations per second.
    static func concurrently(_ operations: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        try await measure(operations: operations) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<clients {
                    group.addTask {
                        for index in stride(from: client, to: operations, by: clients) { try await body(index) }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(text) else { throw BenchmarkError("not an object: \(text)") }
        return object
    }

    // MARK: HTTP

    static func httpAgainstSQLite(server: String) async throws {
        print(
            "== postgres http: wrk \(HTTPBenchmark.connections) connections, the same build on SQLite and on PostgreSQL, best of \(rounds) =="
        )
        let database = try BenchDatabase(server: server)
        defer { database.drop() }
        let sqlite = try await HTTPNode(arguments: [])
        defer { sqlite.stop() }
        let postgres = try await HTTPNode(arguments: ["--storage", database.url])
        defer { postgres.stop() }
        var best = (sqliteCreate: 0.0, sqliteGet: 0.0, postgresCreate: 0.0, postgresGet: 0.0)
        for _ in 0..<rounds {
            best.sqliteCreate = max(best.sqliteCreate, try sqlite.wrkCreate())
            best.postgresCreate = max(best.postgresCreate, try postgres.wrkCreate())
            best.sqliteGet = max(best.sqliteGet, try sqlite.wrkGet())
            best.postgresGet = max(best.postgresGet, try postgres.wrkGet())
        }
        func ratio(_ value: Double, _ base: Double) -> String { String(format: "%.2f", value / base) }
        print("                       req/s")
        print("sqlite create     \(format(best.sqliteCreate))")
        print("postgres create   \(format(best.postgresCreate))   ratio \(ratio(best.postgresCreate, best.sqliteCreate))")
        print("sqlite get        \(format(best.sqliteGet))")
        print("postgres get      \(format(best.postgresGet))   ratio \(ratio(best.postgresGet, best.sqliteGet))")
    }

    static func twoNodesAgainstOne(server: String) async throws {
        print("== postgres nodes: two nodes on one database against one, wrk on each, best of \(rounds) ==")
        let database = try BenchDatabase(server: server)
        defer { database.drop() }
        let first = try await HTTPNode(arguments: ["--storage", database.url])
        defer { first.stop() }
        let second = try await HTTPNode(arguments: ["--storage", database.url], adminKey: first.server.adminKey, tenant: first.tenant)
        defer { second.stop() }
        var best = (oneCreate: 0.0, oneGet: 0.0, twoCreate: 0.0, twoGet: 0.0)
        for _ in 0..<rounds {
            best.oneCreate = max(best.oneCreate, try first.wrkCreate())
            best.oneGet = max(best.oneGet, try first.wrkGet())
            best.twoCreate = max(best.twoCreate, try HTTPNode.together([first, second], get: false))
            best.twoGet = max(best.twoGet, try HTTPNode.together([first, second], get: true))
        }
        func ratio(_ value: Double, _ base: Double) -> String { String(format: "%.2f", value / base) }
        print("                       req/s")
        print("one node create   \(format(best.oneCreate))")
        print("two nodes create  \(format(best.twoCreate))   ratio \(ratio(best.twoCreate, best.oneCreate))")
        print("one node get      \(format(best.oneGet))")
        print("two nodes get     \(format(best.twoGet))   ratio \(ratio(best.twoGet, best.oneGet))")
        print(
            "(2 cores: the nodes, wrk and PostgreSQL share them; with a core or more per node, expect near 2x on get and on create until the database's commit rate is the limit)"
        )
    }
}
