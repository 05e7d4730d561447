import AerolithJSON
import Foundation
import Testing

@testable import AerolithStorage

/// The PostgreSQL server the tests use: `AEROLITH_TEST_POSTGRES_URL`, e.g. the URL
/// `.ci/postgres start DIR` prints. Without it every PostgreSQL test is skipped, saying why.
enum PostgresTestServer {
    static let url = ProcessInfo.processInfo.environment["AEROLITH_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// Run once per CI: in the run whose servers are on SQLite (the store's tests do not depend on where servers store).
    static let isConfigured = url != nil && ProcessInfo.processInfo.environment["AEROLITH_TEST_STORAGE"] != "postgres"
    static let skipReason: Comment =
        "AEROLITH_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (start a server with `.ci/postgres start DIR` and export the URL it prints)"
}

/// A PostgreSQL store in a fresh database of its own, dropped by `close()`.
final class PostgresTemporaryStore: @unchecked Sendable {
    // @unchecked: every property is set once in `init` and never changed.
    let database: String
    let url: String
    let postgres: PostgresDocumentStore
    let placement: Placement
    var store: any DocumentStore { postgres }

    private init(database: String, url: String, postgres: PostgresDocumentStore, placement: Placement) {
        self.database = database
        self.url = url
        self.postgres = postgres
        self.placement = placement
    }

    static func make(prefix: String = "t_test", queryBudget: QueryBudget = .standard) async throws -> PostgresTemporaryStore {
        let server = try #require(PostgresTestServer.url)
        let database = "aerolith_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresDatabases.create(database, url: server)
        let url = try PostgresDatabases.url(server, database: database)
        let store = try await PostgresDocumentStore.open(url: url, queryBudget: queryBudget)
        return PostgresTemporaryStore(database: database, url: url, postgres: store, placement: try Placement(tablePrefix: prefix))
    }

    func close() async {
        await postgres.close()
        if let server = PostgresTestServer.url { try? await PostgresDatabases.drop(database, url: server) }
    }

    func collection(_ name: String) async throws -> CollectionName {
        let collection = try CollectionName(name)
        _ = try await store.createCollection(collection, in: placement)
        return collection
    }
}

/// Runs `body` with a fresh PostgreSQL store, dropping its database afterwards whatever happens.
func withPostgresStore<T>(
    prefix: String = "t_test", queryBudget: QueryBudget = .standard, _ body: (PostgresTemporaryStore) async throws -> T
) async throws -> T {
    let fixture = try await PostgresTemporaryStore.make(prefix: prefix, queryBudget: queryBudget)
    do {
        let result = try await body(fixture)
        await fixture.close()
        return result
    } catch {
        await fixture.close()
        throw error
    }
}

/// Runs blocking work on a thread of its own, never on a Swift concurrency thread.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// The ids of every document matching `queryJSON`, page after page of `pageSize`.
func allIDs(_ store: any DocumentStore, _ queryJSON: String, in collection: CollectionName, placement: Placement, pageSize: Int = 1_000)
    async throws -> [String]
{
    var query = try Query.parse(try JSONParser.parse(queryJSON))
    query.limit = pageSize
    var ids: [String] = []
    while true {
        let page = try await store.query(query, in: collection, placement: placement)
        ids += page.documents.map(\.id)
        guard let cursor = page.nextCursor else { return ids }
        query.cursor = cursor
    }
}

/// Runs `body` with a SQLite store in a fresh temporary directory, as `any DocumentStore`.
func withSQLiteStore<T>(_ body: (any DocumentStore, Placement) async throws -> T) async throws -> T {
    let directory = NSTemporaryDirectory() + "aerolith-storage-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store: any DocumentStore = try SQLiteDocumentStore(directory: directory)
    return try await body(store, try Placement(tablePrefix: "t_test"))
}
