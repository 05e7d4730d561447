import AerolithJSON
import Foundation
import Testing

@testable import AerolithStorage

/// Checks written against `any DocumentStore`, run here on PostgreSQL (and, for the sort order,
/// on SQLite too, so the two engines are pinned to one answer).
enum StoreSemantics {
    /// Documents exercising every JSON type at `v`, in insertion order.
    static let mixedBodies = [
        ("m", #"{"k":"l"}"#), ("z", #"{"v":null}"#), ("n1", #"{"v":1}"#), ("n2", #"{"v":2.5}"#), ("n3", #"{"v":3}"#),
        ("neg", #"{"v":-3}"#), ("big", #"{"v":1.0e2}"#), ("s1", #"{"v":"1"}"#), ("s2", #"{"v":"apple"}"#), ("s3", #"{"v":"apricot"}"#),
        ("up", #"{"v":"Zed"}"#), ("acc", #"{"v":"é"}"#), ("bracket", #"{"v":"["}"#), ("brace", #"{"v":"{"}"#), ("t", #"{"v":true}"#),
        ("f", #"{"v":false}"#), ("o", #"{"v":{"z":1,"a":2}}"#), ("a", #"{"v":[1,2]}"#),
    ]

    /// SQLite's order of `json_extract(body, '$.v')`: NULL (missing, null) first, then numbers
    /// with booleans as 0 and 1, then text by bytes, where objects and arrays are their JSON text.
    static let ascendingOrder = [
        "m", "z", "neg", "f", "n1", "t", "n2", "n3", "big", "s1", "up", "bracket", "a", "s2", "s3", "brace", "o", "acc",
    ]

    static func fill(_ store: any DocumentStore, placement: Placement, name: String = "mixed") async throws -> CollectionName {
        let collection = try CollectionName(name)
        _ = try await store.createCollection(collection, in: placement)
        for (id, body) in mixedBodies {
            _ = try await store.insert(try object(body), id: try DocumentID(id), into: collection, in: placement)
        }
        return collection
    }

    static let filterCases: [(String, Set<String>)] = [
        (#"{"v":1}"#, ["n1"]),
        (#"{"v":{"$eq":"1"}}"#, ["s1"]),
        (#"{"v":true}"#, ["t"]),
        (#"{"v":null}"#, ["z"]),
        (#"{"v":{"$ne":1}}"#, Set(mixedBodies.map(\.0)).subtracting(["n1"])),
        (#"{"v":{"$gt":1}}"#, ["n2", "n3", "big"]),
        (#"{"v":{"$gte":1,"$lt":3}}"#, ["n1", "n2"]),
        (#"{"v":{"$lte":"apple"}}"#, ["s1", "s2", "up", "bracket"]),
        (#"{"v":{"$in":[1,"apple",true,null]}}"#, ["n1", "s2", "t", "z"]),
        (#"{"v":{"$nin":[1,"apple"]}}"#, Set(mixedBodies.map(\.0)).subtracting(["n1", "s2"])),
        (#"{"v":{"$exists":false}}"#, ["m"]),
        (#"{"v":{"$exists":true}}"#, Set(mixedBodies.map(\.0)).subtracting(["m"])),
        (#"{"v":{"$prefix":"ap"}}"#, ["s2", "s3"]),
        (#"{"v":100}"#, ["big"]),
        (#"{"$or":[{"v":false},{"v":{"$lt":0}}]}"#, ["f", "neg"]),
        (#"{"$id":{"$prefix":"n"}}"#, ["n1", "n2", "n3", "neg"]),
        (#"{"$version":1}"#, Set(mixedBodies.map(\.0))),
    ]

    static func ids(_ store: any DocumentStore, _ filter: String, in collection: CollectionName, placement: Placement) async throws -> Set<
        String
    > {
        Set(try await allIDs(store, #"{"filter":\#(filter)}"#, in: collection, placement: placement))
    }
}

@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipReason), .serialized, .timeLimit(.minutes(2)))
struct PostgresDocumentStoreTests {
    @Test func crudWithVersionsAndExactBodies() async throws {
        try await withPostgresStore { fixture in
            let store = fixture.store
            let users = try await fixture.collection("users")
            let ann = try DocumentID("ann")
            // jsonb would reorder these keys and respell the number; the store returns the text as given.
            let created = try await store.insert(
                try object(#"{"name":"Ann","age":30,"b":1.50,"a":[1,{"y":2,"x":1}]}"#), id: ann, into: users, in: fixture.placement)
            #expect(created.version == 1)
            #expect(created.body == #"{"name":"Ann","age":30,"b":1.50,"a":[1,{"y":2,"x":1}]}"#)
            #expect(try await store.document(ann, in: users, placement: fixture.placement) == created)
            #expect(
                await expectCode(.documentExists) { try await store.insert(try object("{}"), id: ann, into: users, in: fixture.placement) })
            #expect(
                await expectCode(.versionConflict) {
                    try await store.replace(
                        ann, with: try object("{}"), expectedVersion: 7, mode: .upsert, in: users, placement: fixture.placement)
                })
            #expect(
                await expectCode(.documentExists) {
                    try await store.replace(
                        ann, with: try object("{}"), expectedVersion: nil, mode: .createOnly, in: users, placement: fixture.placement)
                })
            #expect(
                await expectCode(.versionConflict) {
                    try await store.replace(
                        try DocumentID("nobody"), with: try object("{}"), expectedVersion: nil, mode: .replaceOnly, in: users,
                        placement: fixture.placement)
                })
            let (replaced, wasCreated) = try await store.replace(
                ann, with: try object(#"{"name":"Ann","age":31}"#), expectedVersion: 1, mode: .upsert, in: users,
                placement: fixture.placement)
            #expect(!wasCreated && replaced.version == 2 && replaced.createdAt == created.createdAt)
            let patched = try await store.patch(
                ann, with: try JSONParser.parse(#"{"age":null,"city":"Oslo"}"#), expectedVersion: 2, in: users, placement: fixture.placement
            )
            #expect(patched.body == #"{"name":"Ann","city":"Oslo"}"# && patched.version == 3)
            let (upserted, upsertCreated) = try await store.replace(
                try DocumentID("bob"), with: try object(#"{"name":"Bob"}"#), expectedVersion: nil, mode: .upsert, in: users,
                placement: fixture.placement)
            #expect(upsertCreated && upserted.version == 1)
            #expect(
                await expectCode(.versionConflict) {
                    try await store.delete(ann, expectedVersion: 1, in: users, placement: fixture.placement)
                })
            try await store.delete(ann, expectedVersion: 3, in: users, placement: fixture.placement)
            #expect(try await store.findDocument(ann, in: users, placement: fixture.placement) == nil)
            #expect(
                await expectCode(.documentNotFound) {
                    try await store.delete(ann, expectedVersion: nil, in: users, placement: fixture.placement)
                })

            let info = try await store.collection(users, in: fixture.placement)
            #expect(info.documentCount == 1)
            #expect(info.sizeBytes == Document.storedSizeBytes(id: "bob", body: #"{"name":"Bob"}"#))
            #expect(await expectCode(.collectionExists) { try await store.createCollection(users, in: fixture.placement) })
            try await store.dropCollection(users, in: fixture.placement)
            #expect(await expectCode(.collectionNotFound) { try await store.findDocument(ann, in: users, placement: fixture.placement) })
            #expect(try await store.collections(in: fixture.placement).isEmpty)
        }
    }

    @Test func filtersKeepTypeGuardsAndMissingFieldRules() async throws {
        try await withSQLiteStore { sqlite, placement in
            let sqliteCollection = try await StoreSemantics.fill(sqlite, placement: placement)
            try await withPostgresStore { fixture in
                let collection = try await StoreSemantics.fill(fixture.store, placement: fixture.placement)
                for (filter, expected) in StoreSemantics.filterCases {
                    let found = try await StoreSemantics.ids(fixture.store, filter, in: collection, placement: fixture.placement)
                    #expect(found == expected, "filter \(filter) on PostgreSQL")
                    let onSQLite = try await StoreSemantics.ids(sqlite, filter, in: sqliteCollection, placement: placement)
                    #expect(onSQLite == expected, "filter \(filter) on SQLite")
                }
            }
        }
    }

    /// Numbers a double cannot spell travel as a row-id-only cursor; paging still sees every row once.
    @Test func pagesOverNumbersADoubleCannotHold() async throws {
        try await withPostgresStore { fixture in
            let store = fixture.store
            let numbers = try await fixture.collection("numbers")
            let values = ["1.00000000000000000001", "0.1", "1.5", "12345678901234567890123", "-0.5", "2", "1.00000000000000000002"]
            for (index, value) in values.enumerated() {
                _ = try await store.insert(
                    try object(#"{"v":\#(value)}"#), id: try DocumentID("d\(index)"), into: numbers, in: fixture.placement)
            }
            let whole = try await allIDs(store, #"{"sort":["v"]}"#, in: numbers, placement: fixture.placement)
            #expect(whole == ["d4", "d1", "d0", "d6", "d2", "d5", "d3"])
            for pageSize in [1, 2, 3] {
                #expect(try await allIDs(store, #"{"sort":["v"]}"#, in: numbers, placement: fixture.placement, pageSize: pageSize) == whole)
                #expect(
                    try await allIDs(store, #"{"sort":["-v"]}"#, in: numbers, placement: fixture.placement, pageSize: pageSize)
                        == whole.reversed())
            }
        }
    }

    /// The mixed-type order, pinned on both engines, whole and page by page (keyset cursors).
    @Test func mixedTypeSortOrderMatchesSQLite() async throws {
        try await withSQLiteStore { sqlite, placement in
            let sqliteCollection = try await StoreSemantics.fill(sqlite, placement: placement)
            try await withPostgresStore { fixture in
                let collection = try await StoreSemantics.fill(fixture.store, placement: fixture.placement)
                for (sort, expected) in [("v", StoreSemantics.ascendingOrder), ("-v", nil)] as [(String, [String]?)] {
                    for pageSize in [1000, 1, 4] {
                        let query = #"{"sort":["\#(sort)"]}"#
                        let onSQLite = try await allIDs(sqlite, query, in: sqliteCollection, placement: placement, pageSize: pageSize)
                        let onPostgres = try await allIDs(
                            fixture.store, query, in: collection, placement: fixture.placement, pageSize: pageSize)
                        #expect(onPostgres == onSQLite, "sort \(sort), pages of \(pageSize)")
                        if let expected { #expect(onPostgres == expected) }
                    }
                }
                let twoKeys = #"{"sort":["-k","v"],"filter":{"v":{"$exists":true}}}"#
                #expect(
                    try await allIDs(fixture.store, twoKeys, in: collection, placement: fixture.placement, pageSize: 3)
                        == allIDs(sqlite, twoKeys, in: sqliteCollection, placement: placement, pageSize: 3))
            }
        }
    }

    @Test func cursorsAreSignedAndBoundToTheirQuery() async throws {
        try await withPostgresStore { fixture in
            let collection = try await StoreSemantics.fill(fixture.store, placement: fixture.placement)
            var query = try Query.parse(try JSONParser.parse(#"{"sort":["v"],"limit":2}"#))
            let page = try await fixture.store.query(query, in: collection, placement: fixture.placement)
            let cursor = try #require(page.nextCursor)
            query.sort = [SortKey(path: try FieldPath("v"), descending: true)]
            query.cursor = cursor
            #expect(await expectCode(.invalidCursor) { try await fixture.store.query(query, in: collection, placement: fixture.placement) })
            query.sort = [SortKey(path: try FieldPath("v"))]
            // A changed payload character (the last characters may be only base64 padding bits).
            let first = try #require(cursor.first)
            query.cursor = (first == "A" ? "B" : "A") + cursor.dropFirst()
            #expect(await expectCode(.invalidCursor) { try await fixture.store.query(query, in: collection, placement: fixture.placement) })
        }
    }

    @Test func batchIsAtomicAndNamesTheFailingOperation() async throws {
        try await withPostgresStore { fixture in
            let store = fixture.store
            let items = try await fixture.collection("items")
            _ = try await store.insert(try object(#"{"n":1}"#), id: try DocumentID("one"), into: items, in: fixture.placement)
            do {
                _ = try await store.batch(
                    [
                        .insert(id: try DocumentID("two"), body: try object(#"{"n":2}"#)),
                        .patch(id: try DocumentID("one"), patch: try JSONParser.parse(#"{"n":10}"#), expectedVersion: 1),
                        .delete(id: try DocumentID("one"), expectedVersion: 1),
                    ], in: items, placement: fixture.placement)
                Issue.record("the batch should fail")
            } catch let error as StorageError {
                #expect(error.code == .versionConflict && error.operationIndex == 2)
            }
            #expect(try await store.findDocument(try DocumentID("two"), in: items, placement: fixture.placement) == nil)
            #expect(try await store.document(try DocumentID("one"), in: items, placement: fixture.placement).version == 1)
            #expect(try await store.collection(items, in: fixture.placement).documentCount == 1)
            let results = try await store.batch(
                [.insert(id: try DocumentID("two"), body: try object("{}")), .delete(id: try DocumentID("one"), expectedVersion: nil)],
                in: items, placement: fixture.placement)
            #expect(results.count == 2)
            #expect(try await store.collection(items, in: fixture.placement).documentCount == 1)
        }
    }

    @Test func concurrentInsertsGiveExactCounts() async throws {
        try await withPostgresStore { fixture in
            let store = fixture.store
            let placement = fixture.placement
            let items = try await fixture.collection("items")
            let writers = 8
            let insertsPerWriter = 40
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var bytes: Int64 = 0
                        for index in 0..<insertsPerWriter {
                            let document = try await store.insert(
                                try object(#"{"writer":\#(writer),"i":\#(index)}"#), id: nil, into: items, in: placement)
                            bytes += Document.storedSizeBytes(id: document.id, body: document.body)
                        }
                        return bytes
                    }
                }
                var expectedBytes: Int64 = 0
                for try await bytes in group { expectedBytes += bytes }
                let before = try await store.collection(items, in: placement)
                #expect(before.documentCount == Int64(writers * insertsPerWriter) && before.sizeBytes == expectedBytes)
                try await store.flush()
                let after = try await store.usage(in: placement)
                #expect(after.documentCount == Int64(writers * insertsPerWriter) && after.sizeBytes == expectedBytes)
            }
        }
    }
}
