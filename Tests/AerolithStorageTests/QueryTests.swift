import AerolithJSON
import Foundation
import Testing

@testable import AerolithStorage

@Suite struct QueryTests {
    /// A collection whose documents exercise every JSON type at `v`.
    static func fixture() async throws -> (TemporaryStore, CollectionName) {
        let fixture = try TemporaryStore()
        let name = try await fixture.collection("mixed")
        let bodies = [
            ("n1", #"{"v":1,"k":"a","nested":{"x":10}}"#), ("n2", #"{"v":2.5,"k":"b","nested":{"x":20}}"#),
            ("n3", #"{"v":3,"k":"c"}"#), ("s1", #"{"v":"1","k":"d"}"#), ("s2", #"{"v":"apple","k":"e"}"#),
            ("s3", #"{"v":"apricot","k":"f"}"#), ("t", #"{"v":true,"k":"g"}"#), ("f", #"{"v":false,"k":"h"}"#),
            ("z", #"{"v":null,"k":"i"}"#), ("o", #"{"v":{"a":1},"k":"j"}"#), ("a", #"{"v":[1],"k":"k"}"#), ("m", #"{"k":"l"}"#),
        ]
        for (id, body) in bodies {
            _ = try await fixture.store.insert(try object(body), id: try DocumentID(id), into: name, in: fixture.placement)
        }
        return (fixture, name)
    }

    func ids(_ filter: String, _ fixture: TemporaryStore, _ name: CollectionName) async throws -> Set<String> {
        let query = try Query.parse(try JSONParser.parse(#"{"filter":\#(filter),"limit":1000}"#))
        return Set(try await fixture.store.query(query, in: name, placement: fixture.placement).documents.map(\.id))
    }

    @Test(arguments: [
        (#"{"v":1}"#, ["n1"]),
        (#"{"v":{"$eq":"1"}}"#, ["s1"]),
        (#"{"v":true}"#, ["t"]),
        (#"{"v":null}"#, ["z"]),
        (#"{"v":{"$ne":1}}"#, ["n2", "n3", "s1", "s2", "s3", "t", "f", "z", "o", "a", "m"]),
        (#"{"v":{"$gt":1}}"#, ["n2", "n3"]),
        (#"{"v":{"$gte":1,"$lt":3}}"#, ["n1", "n2"]),
        (#"{"v":{"$lte":"apple"}}"#, ["s1", "s2"]),
        (#"{"v":{"$in":[1,"apple",true,null]}}"#, ["n1", "s2", "t", "z"]),
        (#"{"v":{"$nin":[1,"apple"]}}"#, ["n2", "n3", "s1", "s3", "t", "f", "z", "o", "a", "m"]),
        (#"{"v":{"$exists":false}}"#, ["m"]),
        (#"{"v":{"$prefix":"ap"}}"#, ["s2", "s3"]),
        (#"{"nested.x":{"$gte":15}}"#, ["n2"]),
        (#"{"$or":[{"k":"a"},{"k":"c"}],"v":{"$gt":2}}"#, ["n3"]),
        (#"{"$and":[{"v":{"$exists":true}},{"k":{"$in":["a","l"]}}]}"#, ["n1"]),
        (#"{"$id":"n1"}"#, ["n1"]),
        (#"{"$version":{"$gt":1}}"#, []),
        ("{}", ["n1", "n2", "n3", "s1", "s2", "s3", "t", "f", "z", "o", "a", "m"]),
        (#"{"$and":[{}],"k":"a"}"#, ["n1"]),
        (#"{"$or":[{},{"k":"a"}]}"#, ["n1", "n2", "n3", "s1", "s2", "s3", "t", "f", "z", "o", "a", "m"]),
    ])
    func operators(_ filter: String, _ expected: [String]) async throws {
        let (fixture, name) = try await Self.fixture()
        await #expect(try ids(filter, fixture, name) == Set(expected))
    }

    @Test(arguments: [
        (#"{"filter":{"v":{"$regex":"x"}}}"#, StorageError.Code.invalidFilter),
        (#"{"filter":{"$where":"1"}}"#, .invalidFilter),
        (#"{"filter":{"v":{"$gt":true}}}"#, .invalidFilter),
        (#"{"filter":{"v":{"$in":"x"}}}"#, .invalidFilter),
        (#"{"filter":{"v":{"$in":[]}}}"#, .invalidFilter),
        (#"{"filter":{"v":{"$eq":[1]}}}"#, .invalidFilter),
        (#"{"filter":{"v":{"$exists":1}}}"#, .invalidFilter),
        (#"{"filter":{"v":{"$prefix":1}}}"#, .invalidFilter),
        (#"{"filter":{"a..b":1}}"#, .invalidFilter),
        (#"{"filter":{"a'); DROP TABLE x; --":1}}"#, .invalidFilter),
        (#"{"filter":{"$or":[]}}"#, .invalidFilter),
        (#"{"filter":[1]}"#, .invalidFilter),
        (#"{"sort":["no spaces"]}"#, .invalidSort),
        (#"{"sort":[1]}"#, .invalidSort),
        (#"{"limit":0}"#, .invalidLimit),
        (#"{"limit":1001}"#, .invalidLimit),
        (#"{"limit":"5"}"#, .invalidLimit),
        (#"{"cursor":5}"#, .invalidCursor),
        (#"{"page":2}"#, .invalidQuery),
        (#"{"filter":{"$created_at":{"$gt":"2020-01-01"}}}"#, .invalidFilter),
        (#"{"filter":{"$version":"1"}}"#, .invalidFilter),
    ])
    func rejectsBadQueries(_ text: String, _ code: StorageError.Code) throws {
        do {
            let value = try #require(try? JSONParser.parse(text))
            _ = try Query.parse(value)
            Issue.record("accepted \(text)")
        } catch let error as StorageError {
            #expect(error.code == code)
        }
    }

    @Test func filterLimitsAreEnforced() throws {
        let many = (0...StorageLimits.filterClausesMax).map { #"{"f\#($0)":1}"# }.joined(separator: ",")
        #expect(throws: StorageError.self) { try Query.parse(try JSONParser.parse(#"{"filter":{"$and":[\#(many)]}}"#)) }
        var nested = #"{"a":1}"#
        for _ in 0...StorageLimits.filterDepthMax { nested = #"{"$or":[\#(nested)]}"# }
        #expect(throws: StorageError.self) { try Query.parse(try JSONParser.parse(#"{"filter":\#(nested)}"#)) }
    }

    /// Every page boundary under multi-key mixed-direction sorts with ties, nulls and missing
    /// values: paging yields every document exactly once, in the same order as one big page.
    @Test func cursorPaginationIsExact() async throws {
        let fixture = try TemporaryStore()
        let name = try await fixture.collection("people")
        for index in 0..<57 {
            var body = JSONObject()
            if index % 7 != 0 { body.set("group", .integer(Int64(index % 4))) }
            if index % 5 != 0 { body.set("score", index % 3 == 0 ? .string("s\(index % 6)") : .integer(Int64(index % 9))) }
            _ = try await fixture.store.insert(body, id: nil, into: name, in: fixture.placement)
        }
        for sort in [#"["group"]"#, #"["-group","score"]"#, #"["score","-group"]"#, #"["-score"]"#, "[]", #"["-$created_at"]"#] {
            let all = try await fixture.store.query(
                try Query.parse(try JSONParser.parse(#"{"sort":\#(sort),"limit":1000}"#)),
                in: name, placement: fixture.placement
            ).documents.map(\.id)
            for pageSize in [1, 2, 5, 56, 57] {
                var seen: [String] = []
                var cursor: String?
                repeat {
                    var query = try Query.parse(try JSONParser.parse(#"{"sort":\#(sort),"limit":\#(pageSize)}"#))
                    query.cursor = cursor
                    let page = try await fixture.store.query(query, in: name, placement: fixture.placement)
                    seen += page.documents.map(\.id)
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(seen == all, "sort \(sort) page size \(pageSize)")
            }
            #expect(all.count == 57)
        }
    }

    @Test func forgedAndForeignCursorsAreRefused() async throws {
        let (fixture, name) = try await Self.fixture()
        let first = try await fixture.store.query(Query(limit: 2), in: name, placement: fixture.placement)
        let cursor = try #require(first.nextCursor)
        // The same cursor with another sort, another filter, or one altered character.
        var other = Query(sort: [SortKey(path: try FieldPath("k"))], limit: 2, cursor: cursor)
        #expect(await expectCode(.invalidCursor) { try await fixture.store.query(other, in: name, placement: fixture.placement) })
        other = Query(filter: .compare(try FieldPath("k"), .exists(true)), limit: 2, cursor: cursor)
        #expect(await expectCode(.invalidCursor) { try await fixture.store.query(other, in: name, placement: fixture.placement) })
        var altered = Array(cursor)
        altered[3] = altered[3] == "A" ? "B" : "A"
        for bad in [String(altered), "garbage", "", cursor + "x", "a.b", String(repeating: "A", count: 5_000)] {
            #expect(
                await expectCode(.invalidCursor) {
                    try await fixture.store.query(Query(limit: 2, cursor: bad), in: name, placement: fixture.placement)
                })
        }
    }

    @Test func indexServesQueriesWithIdenticalResults() async throws {
        let fixture = try TemporaryStore()
        let name = try await fixture.collection("orders")
        for index in 0..<300 {
            _ = try await fixture.store.insert(
                try object(#"{"customer":{"id":"c\#(index % 17)"},"total":\#(index % 50)}"#), id: nil,
                into: name, in: fixture.placement)
        }
        let queries = [
            #"{"filter":{"customer.id":"c3"},"limit":1000}"#,
            #"{"filter":{"customer.id":{"$in":["c1","c2"]}},"sort":["-total"],"limit":1000}"#,
            #"{"filter":{"customer.id":{"$prefix":"c1"}},"limit":1000}"#,
        ].map { try! Query.parse(try! JSONParser.parse($0)) }
        var before: [[Document]] = []
        for query in queries { before.append(try await fixture.store.query(query, in: name, placement: fixture.placement).documents) }
        await #expect(try fixture.store.explain(queries[0], in: name, placement: fixture.placement).joined().contains("SCAN"))

        let definition = try IndexDefinition.parse(try JSONParser.parse(#"{"name":"by_customer","paths":["customer.id"]}"#))
        _ = try await fixture.store.createIndex(definition, on: name, placement: fixture.placement)
        for query in queries {
            let plan = try await fixture.store.explain(query, in: name, placement: fixture.placement).joined(separator: "\n")
            #expect(plan.contains("USING INDEX") && plan.contains("_ix_by_customer"), "plan: \(plan)")
        }
        var after: [[Document]] = []
        for query in queries { after.append(try await fixture.store.query(query, in: name, placement: fixture.placement).documents) }
        #expect(before == after)
        await #expect(try fixture.store.indexes(on: name, placement: fixture.placement).map(\.name) == ["by_customer"])
        #expect(await expectCode(.indexExists) { try await fixture.store.createIndex(definition, on: name, placement: fixture.placement) })

        try await fixture.store.dropIndex("by_customer", on: name, placement: fixture.placement)
        await #expect(!(try fixture.store.explain(queries[0], in: name, placement: fixture.placement).joined().contains("USING INDEX")))
        #expect(
            await expectCode(.indexNotFound) { try await fixture.store.dropIndex("by_customer", on: name, placement: fixture.placement) })
    }

    /// A reader connection handed back with a statement part-way through its rows would stay on
    /// an old snapshot; every read after it must still see the latest commit.
    @Test func readsSeeLatestCommitAfterPartialReads() async throws {
        let fixture = try TemporaryStore()
        let name = try await fixture.collection("fresh")
        for index in 0..<5 {
            _ = try await fixture.store.insert(try object("{}"), id: try DocumentID("d\(index)"), into: name, in: fixture.placement)
        }
        _ = try await fixture.store.explain(Query(limit: 1), in: name, placement: fixture.placement)
        _ = try await fixture.store.query(Query(limit: 1), in: name, placement: fixture.placement)
        _ = try await fixture.store.insert(try object("{}"), id: try DocumentID("late"), into: name, in: fixture.placement)
        await #expect(try fixture.store.findDocument(try DocumentID("late"), in: name, placement: fixture.placement) != nil)
        await #expect(try fixture.store.query(Query(limit: 100), in: name, placement: fixture.placement).documents.count == 6)
        await #expect(try fixture.store.collections(in: fixture.placement).first?.documentCount == 6)
    }

    @Test func uniqueIndexRefusesDuplicates() async throws {
        let fixture = try TemporaryStore()
        let name = try await fixture.collection("accounts")
        let unique = try IndexDefinition(name: "by_email", paths: [try FieldPath("email")], unique: true)
        _ = try await fixture.store.createIndex(unique, on: name, placement: fixture.placement)
        _ = try await fixture.store.insert(try object(#"{"email":"a@x"}"#), id: nil, into: name, in: fixture.placement)
        #expect(
            await expectCode(.uniqueViolation) {
                try await fixture.store.insert(try object(#"{"email":"a@x"}"#), id: nil, into: name, in: fixture.placement)
            })
        await #expect(try fixture.store.collection(name, in: fixture.placement).documentCount == 1)
    }
}

@Suite struct QueryEdgeTests {
    /// Sorting on values too long to carry in a cursor still pages exactly.
    @Test func longSortValuesPage() async throws {
        let fixture = try TemporaryStore()
        let name = try await fixture.collection("long")
        for index in 0..<9 {
            let text = String(repeating: "x", count: 3_000) + String(index % 3)
            _ = try await fixture.store.insert(
                try object(#"{"t":"\#(text)","n":{"deep":[\#(index)]}}"#), id: nil, into: name, in: fixture.placement)
        }
        for sort in [["-t"], ["n", "t"]] {
            let keys = sort.map {
                $0.hasPrefix("-")
                    ? SortKey(path: try! FieldPath(String($0.dropFirst())), descending: true) : SortKey(path: try! FieldPath($0))
            }
            let all = try await fixture.store.query(Query(sort: keys, limit: 100), in: name, placement: fixture.placement).documents.map(
                \.id)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await fixture.store.query(
                    Query(sort: keys, limit: 2, cursor: cursor), in: name, placement: fixture.placement)
                seen += page.documents.map(\.id)
                #expect((page.nextCursor?.utf8.count ?? 0) <= StorageLimits.cursorLengthBytesMax)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == all && all.count == 9)
        }
    }

    @Test func manyEmptyBranchesAreRefused() throws {
        let branches = Array(repeating: "{}", count: 1_001).joined(separator: ",")
        #expect(throws: StorageError.self) { try Query.parse(try JSONParser.parse(#"{"filter":{"$or":[\#(branches)]}}"#)) }
    }

    @Test func indexNamesIgnoreCase() async throws {
        let fixture = try TemporaryStore()
        let name = try await fixture.collection("things")
        _ = try await fixture.store.createIndex(
            try IndexDefinition(name: "ByAge", paths: [try FieldPath("age")]), on: name, placement: fixture.placement)
        #expect(
            await expectCode(.indexExists) {
                try await fixture.store.createIndex(
                    try IndexDefinition(name: "byage", paths: [try FieldPath("Age")]), on: name, placement: fixture.placement)
            })
    }

    @Test func mergePatchWithManyKeysIsLinear() throws {
        let target = JSONValue.object(JSONObject(members: (0..<50_000).map { .init(key: "k\($0)", value: .integer(Int64($0))) }))
        let patch = JSONValue.object(
            JSONObject(members: (25_000..<75_000).map { .init(key: "k\($0)", value: $0 % 2 == 0 ? .null : .bool(true)) }))
        guard case .object(let result) = MergePatch.apply(patch, to: target) else {
            Issue.record("not an object")
            return
        }
        #expect(result.count == 25_000 + 12_500 + 12_500)
        #expect(result.members.first?.key == "k0")
    }
}
