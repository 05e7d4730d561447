import AerolithJSON
import AerolithStorage
import Foundation
import Testing

@Suite struct QueryBudgetTests {
    /// `count` documents `{"n": i, "tag": "t<i % 7>", "name": "name-<i>"}`, inserted concurrently
    /// (group commit batches them).
    static func fill(_ fixture: TemporaryStore, count: Int) async throws -> CollectionName {
        let name = try await fixture.collection("many")
        let store = fixture.store
        let placement = fixture.placement
        try await withThrowingTaskGroup(of: Void.self) { group in
            for start in stride(from: 0, to: count, by: 100) {
                group.addTask {
                    let operations = try (start..<min(start + 100, count)).map { index in
                        BatchOperation.insert(
                            id: try DocumentID("d\(index)"),
                            body: try object(#"{"n":\#(index),"tag":"t\#(index % 7)","name":"name-\#(index)"}"#))
                    }
                    _ = try await store.batch(operations, in: name, placement: placement)
                }
            }
            try await group.waitForAll()
        }
        return name
    }

    static func query(_ text: String) throws -> Query { try Query.parse(try JSONParser.parse(text)) }

    /// A `$or` of 31 `$prefix` comparisons (62 as the filter limit counts them) with a four-key sort: no index serves it, and every
    /// row is examined and sorted.
    static let expensive =
        #"{"filter":{"$or":[\#((0..<31).map { #"{"name":{"$prefix":"name-\#($0)"}}"# }.joined(separator: ","))]},"sort":["tag","-name","n","-nested.x"],"limit":10}"#

    @Test func aQueryPastItsRowsBudgetIsStoppedAndTheConnectionServesOn() async throws {
        let fixture = try TemporaryStore(queryBudget: QueryBudget(rowsExaminedMax: 300))
        let name = try await Self.fill(fixture, count: 1_000)
        do {
            _ = try await fixture.store.query(try Self.query(#"{"sort":["-n"],"limit":5}"#), in: name, placement: fixture.placement)
            Issue.record("a sort of 1,000 rows ran under a budget of 300 rows examined")
        } catch let error as StorageError {
            #expect(error.code == .queryTimeout)
            #expect(error.message.contains("examined more than 300 rows"))
        }
        // The same connections answer the next, cheap queries.
        for _ in 0..<(StorageLimits.readerConnectionsMax * 2) {
            let page = try await fixture.store.query(try Self.query(#"{"limit":5}"#), in: name, placement: fixture.placement)
            #expect(page.documents.count == 5)
        }
    }

    @Test func eachCursorPageHasABudgetOfItsOwn() async throws {
        let fixture = try TemporaryStore(queryBudget: QueryBudget(rowsExaminedMax: 300))
        let name = try await Self.fill(fixture, count: 1_000)
        var query = try Self.query(#"{"limit":200}"#)
        var seen = 0
        while true {
            let page = try await fixture.store.query(query, in: name, placement: fixture.placement)
            seen += page.documents.count
            guard let cursor = page.nextCursor else { break }
            query.cursor = cursor
        }
        #expect(seen == 1_000)
    }

    @Test func aQueryPastItsTimeLimitIsStopped() async throws {
        let fixture = try TemporaryStore(queryBudget: QueryBudget(timeLimitMilliseconds: 1, rowsExaminedMax: 100_000_000))
        let name = try await Self.fill(fixture, count: 5_000)
        do {
            _ = try await fixture.store.query(try Self.query(Self.expensive), in: name, placement: fixture.placement)
            Issue.record("an expensive query over 5,000 documents finished within 1 ms")
        } catch let error as StorageError {
            #expect(error.code == .queryTimeout)
            #expect(error.message.contains("time limit of 1 ms"))
        }
        // A query that stops after one row is far within the budget.
        let page = try await fixture.store.query(try Self.query(#"{"limit":1}"#), in: name, placement: fixture.placement)
        #expect(page.documents.count == 1)
    }
}
