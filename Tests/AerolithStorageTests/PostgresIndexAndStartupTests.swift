import AerolithJSON
import Foundation
import Testing

@testable import AerolithStorage

@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipReason), .serialized, .timeLimit(.minutes(2)))
struct PostgresIndexAndStartupTests {
    @Test func uniqueIndexesNamesAndLimits() async throws {
        try await withPostgresStore { fixture in
            let store = fixture.store
            let placement = fixture.placement
            let users = try await fixture.collection("users")
            let byEmail = try IndexDefinition(name: "ByEmail", paths: [try FieldPath("email")], unique: true)
            #expect(try await store.createIndex(byEmail, on: users, placement: placement).state == .ready)
            #expect(
                await expectCode(.indexExists) {
                    try await store.createIndex(
                        try IndexDefinition(name: "byemail", paths: [try FieldPath("x")]), on: users, placement: placement)
                })
            _ = try await store.insert(try object(#"{"email":"a@x"}"#), id: nil, into: users, in: placement)
            // Missing and null values never conflict, as in SQLite.
            _ = try await store.insert(try object("{}"), id: nil, into: users, in: placement)
            _ = try await store.insert(try object("{}"), id: nil, into: users, in: placement)
            _ = try await store.insert(try object(#"{"email":null}"#), id: nil, into: users, in: placement)
            _ = try await store.insert(try object(#"{"email":null}"#), id: nil, into: users, in: placement)
            #expect(
                await expectCode(.uniqueViolation) {
                    try await store.insert(try object(#"{"email":"a@x"}"#), id: nil, into: users, in: placement)
                })
            #expect(try await store.collection(users, in: placement).documentCount == 5)
            for number in 1..<StorageLimits.indexesPerCollectionMax {
                _ = try await store.createIndex(
                    try IndexDefinition(name: "ix\(number)", paths: [try FieldPath("f\(number)")]), on: users, placement: placement)
            }
            #expect(
                await expectCode(.indexLimitReached) {
                    try await store.createIndex(
                        try IndexDefinition(name: "onemore", paths: [try FieldPath("g")]), on: users, placement: placement)
                })
            try await store.dropIndex("BYEMAIL", on: users, placement: placement)
            #expect(await expectCode(.indexNotFound) { try await store.dropIndex("byemail", on: users, placement: placement) })
            _ = try await store.insert(try object(#"{"email":"a@x"}"#), id: nil, into: users, in: placement)
            let duplicate = try IndexDefinition(name: "again", paths: [try FieldPath("email")], unique: true)
            try await store.dropIndex("ix1", on: users, placement: placement)
            #expect(await expectCode(.uniqueViolation) { try await store.createIndex(duplicate, on: users, placement: placement) })
        }
    }

    /// A collection above the in-request build size gets its index concurrently (`building`),
    /// then `ready`; EXPLAIN then shows the planner using it.
    @Test func explainShowsTheExpressionIndex() async throws {
        try await withPostgresStore { fixture in
            let store = fixture.store
            let placement = fixture.placement
            let people = try await fixture.collection("people")
            let count = StorageLimits.indexBuildSliceRowsMax + 500
            var operations: [BatchOperation] = []
            for index in 0..<count {
                operations.append(.insert(id: nil, body: try object(#"{"age":\#(index % 90),"name":"p\#(index)"}"#)))
                if operations.count == StorageLimits.batchOperationsMax {
                    _ = try await store.batch(operations, in: people, placement: placement)
                    operations = []
                }
            }
            if !operations.isEmpty { _ = try await store.batch(operations, in: people, placement: placement) }
            let created = try await store.createIndex(
                try IndexDefinition(name: "by_age", paths: [try FieldPath("age")]), on: people, placement: placement)
            #expect(created.state == .building)
            let deadline = ContinuousClock.now + .seconds(60)
            var state = created.state
            while state != .ready, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                state = try await store.indexes(on: people, placement: placement).first { $0.name == "by_age" }?.state ?? .failed
            }
            #expect(state == .ready)
            let query = try Query.parse(try JSONParser.parse(#"{"filter":{"age":42},"limit":10}"#))
            let plan = try await store.explain(query, in: people, placement: placement)
            #expect(plan.contains { $0.contains("Index") && $0.contains("_i") }, "plan: \(plan)")
            let sorted = try Query.parse(try JSONParser.parse(#"{"filter":{"age":{"$gte":80}},"sort":["age"],"limit":5}"#))
            let sortedPlan = try await store.explain(sorted, in: people, placement: placement)
            #expect(sortedPlan.contains { $0.contains("Index Scan") }, "plan: \(sortedPlan)")
            let page = try await store.query(query, in: people, placement: placement)
            #expect(page.documents.count == 10)
        }
    }

    @Test func keyValuesFromTheirOwnThreads() async throws {
        try await withPostgresStore { fixture in
            let values = fixture.store.keyValues
            try await onOwnThread {
                try values.put(namespace: "p", key: [1, 2], value: [9])
                try values.put(namespace: "p", key: [1, 3], value: [8])
                try values.put(namespace: "p", key: [2], value: [7])
                try values.put(namespace: "q", key: [1, 2], value: [6])
                try values.put(namespace: "p", key: [1, 2], value: [5])
                #expect(try values.value(namespace: "p", key: [1, 2]) == [5])
                #expect(try values.keys(namespace: "p", prefix: [1], after: [], limit: 10) == [[1, 2], [1, 3]])
                #expect(try values.keys(namespace: "p", prefix: [1], after: [1, 2], limit: 10) == [[1, 3]])
                #expect(try values.entries(namespace: "p").map(\.key) == [[1, 2], [1, 3], [2]])
                try values.delete(namespace: "p", key: [1, 2])
                #expect(try values.value(namespace: "p", key: [1, 2]) == nil)
            }
        }
    }

    @Test func queryBudgetStopsSlowQueries() async throws {
        try await withPostgresStore { fixture in
            let items = try await fixture.collection("items")
            let pad = String(repeating: "x", count: 2_000)
            for batch in 0..<20 {
                let operations: [BatchOperation] = try (0..<StorageLimits.batchOperationsMax).map { index in
                    .insert(id: nil, body: try object(#"{"n":\#(batch * 1_000 + index),"pad":"\#(pad)\#(index)"}"#))
                }
                _ = try await fixture.store.batch(operations, in: items, placement: fixture.placement)
            }
            // The same database through a store whose target limits queries to 1 ms (the URL's
            // statement_timeout_ms, in place of the deployment's budget).
            let hurriedURL = fixture.url + (fixture.url.contains("?") ? "&" : "?") + "statement_timeout_ms=1"
            let hurried = try await PostgresDocumentStore.open(url: hurriedURL)
            let query = try Query.parse(try JSONParser.parse(#"{"filter":{"pad":{"$prefix":"x"}},"sort":["-pad","n"],"limit":1000}"#))
            var timedOut = false
            for _ in 0..<5 where !timedOut {
                timedOut = await expectCode(.queryTimeout) { try await hurried.query(query, in: items, placement: fixture.placement) }
            }
            await hurried.close()
            #expect(timedOut)
        }
    }

    @Test func startupErrorsNameTheServer() async throws {
        let server = try #require(PostgresTestServer.url)
        var components = try #require(URLComponents(string: server))
        let hostPort = "\(components.host ?? ""):\(components.port ?? 5432)"

        var wrongPassword = components
        wrongPassword.password = "not-the-password"
        await expectStartupError(try #require(wrongPassword.string), code: .storageFailure, mentions: [hostPort, "password"])

        components.path = "/aerolith_no_such_database"
        await expectStartupError(
            try #require(components.string), code: .storageFailure, mentions: [hostPort + "/aerolith_no_such_database", "does not exist"])

        // A port nobody listens on: the server cannot be reached.
        await expectStartupError("postgres://u:p@127.0.0.1:1/db", code: .storageUnavailable, mentions: ["127.0.0.1:1/db"])
        await expectStartupError("mysql://u:p@127.0.0.1/db", code: .storageFailure, mentions: ["invalid PostgreSQL URL"])
    }

    /// Several nodes starting at once on an empty database: one creates the schema, all open.
    @Test(.disabled("stores opened and closed at once can leave a close waiting forever; to be fixed before this is re-enabled"))
    func concurrentOpensShareOneSchema() async throws {
        try await withPostgresStore { fixture in
            let url = fixture.url
            let nodes = 6
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in 0..<nodes {
                    group.addTask {
                        let store = try await PostgresDocumentStore.open(url: url)
                        let placement = try Placement(tablePrefix: "node\(node)")
                        let name = try CollectionName("c")
                        _ = try await store.createCollection(name, in: placement)
                        _ = try await store.insert(try object("{}"), id: nil, into: name, in: placement)
                        await store.close()
                    }
                }
                try await group.waitForAll()
            }
            for node in 0..<nodes {
                #expect(try await fixture.store.usage(in: try Placement(tablePrefix: "node\(node)")).documentCount == 1)
            }
        }
    }

    /// A role that may log in but not create tables gets an error saying what it lacks.
    @Test func missingPermissionIsAClearStartupError() async throws {
        let server = try #require(PostgresTestServer.url)
        let role = "aerolith_limited_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let database = "aerolith_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresDatabases.create(database, url: server)
        try await PostgresDatabases.execute("CREATE ROLE \(role) LOGIN PASSWORD 'limited-password'", url: server)
        var components = try #require(URLComponents(string: try PostgresDatabases.url(server, database: database)))
        components.user = role
        components.password = "limited-password"
        await expectStartupError(
            try #require(components.string), code: .storageFailure, mentions: ["/\(database)", "permission denied", "CREATE"])
        try await PostgresDatabases.drop(database, url: server)
        try await PostgresDatabases.execute("DROP ROLE \(role)", url: server)
    }

    private func expectStartupError(_ url: String, code: StorageError.Code, mentions: [String]) async {
        do {
            let store = try await PostgresDocumentStore.open(url: url, pool: PostgresPoolLimits(connectTimeoutMilliseconds: 2_000))
            await store.close()
            Issue.record("opening \(url) should fail")
        } catch {
            #expect(error.code == code, "\(error)")
            for text in mentions { #expect(error.message.contains(text), "\(error.message) should mention \(text)") }
        }
    }
}
