import AerolithJSON
import Foundation
import Testing

@testable import AerolithStorage

/// Index builds over collections larger than one slice run in the background, in bounded writer
/// turns: other writes commit meanwhile, and the finished index holds every change made during
/// the build.
@Suite struct IndexBuildTests {
    static let documentCount = 20_000

    /// A collection of `count` documents `{"n": i, "group": "g<i % 10>"}` with ids `d<i>`.
    static func large(_ fixture: TemporaryStore, count: Int = documentCount) async throws -> CollectionName {
        let name = try await fixture.collection("big")
        for start in stride(from: 0, to: count, by: StorageLimits.batchOperationsMax) {
            let operations = try (start..<min(count, start + StorageLimits.batchOperationsMax)).map { index in
                BatchOperation.insert(id: try DocumentID("d\(index)"), body: try object(#"{"n":\#(index),"group":"g\#(index % 10)"}"#))
            }
            _ = try await fixture.store.batch(operations, in: name, placement: fixture.placement)
        }
        return name
    }

    static func state(_ fixture: TemporaryStore, _ name: CollectionName, _ index: String) async throws -> IndexInfo? {
        try await fixture.store.indexes(on: name, placement: fixture.placement).first { $0.name == index }
    }

    /// Waits for the build to end; the bound only keeps a broken build from hanging the suite.
    static func waitForBuild(_ fixture: TemporaryStore, _ name: CollectionName, _ index: String) async throws -> IndexInfo? {
        for _ in 0..<6_000 {
            let info = try await state(fixture, name, index)
            if info?.state != .building { return info }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await state(fixture, name, index)
    }

    static func ids(_ fixture: TemporaryStore, _ name: CollectionName, _ filter: String) async throws -> [String] {
        let query = try Query.parse(try JSONParser.parse(#"{"filter":\#(filter),"limit":1000}"#))
        return try await fixture.store.query(query, in: name, placement: fixture.placement).documents.map(\.id).sorted()
    }

    @Test func aFewLargeDocumentsAreIndexedInSlicesBoundedByBytes() async throws {
        let fixture = try TemporaryStore()
        let name = try await fixture.collection("large")
        // 24 documents of about 900 KB: far fewer rows than a slice, far more bytes.
        let padding = String(repeating: "x", count: 900_000)
        for index in 0..<24 {
            _ = try await fixture.store.insert(
                try object(#"{"n":\#(index),"pad":"\#(padding)"}"#), id: try DocumentID("d\(index)"),
                into: name, in: fixture.placement)
        }
        let table = try fixture.store.catalog.entry(name, in: fixture.placement).tableName
        let (first, second) = try await fixture.store.writer.write { connection throws(StorageError) -> (Int64?, Int64?) in
            let first = try IndexBuild.sliceEnd(of: table, after: 0, on: connection)
            return (first, try IndexBuild.sliceEnd(of: table, after: first ?? 0, on: connection))
        }
        // 8 MiB of 900 KB documents: the slice ends with the tenth, the one that crosses it.
        let rowsPerSlice = Int64(StorageLimits.indexBuildSliceBytesMax / 900_000 + 1)
        #expect(first == rowsPerSlice)
        #expect(second == 2 * rowsPerSlice)
        let definition = try IndexDefinition(name: "by_n", paths: [try FieldPath("n")])
        let created = try await fixture.store.createIndex(definition, on: name, placement: fixture.placement)
        #expect(created.state == .building, "24 documents of 900 KB were indexed in one writer turn")
        #expect(try await Self.waitForBuild(fixture, name, "by_n")?.state == .ready)
        await #expect(try Self.ids(fixture, name, #"{"n":{"$gte":20}}"#) == ["d20", "d21", "d22", "d23"])
    }

    @Test func writesOfAnotherTenantCommitWhileABuildRunsAndTheIndexHoldsChangesMadeMeanwhile() async throws {
        let fixture = try TemporaryStore()
        let big = try await Self.large(fixture)
        let other = try Placement(tablePrefix: "t_other")
        let small = try CollectionName("small")
        _ = try await fixture.store.createCollection(small, in: other)

        let definition = try IndexDefinition(name: "by_n", paths: [try FieldPath("n")])
        let created = try await fixture.store.createIndex(definition, on: big, placement: fixture.placement)
        #expect(created.state == .building)
        // Another tenant's write issued now commits before the build ends: the build does not hold the writer.
        _ = try await fixture.store.insert(try object(#"{"x":1}"#), id: nil, into: small, in: other)
        await #expect(try Self.state(fixture, big, "by_n")?.state == .building, "the write waited for the whole build")

        // Changes during the build, to rows early (already copied) and late (not yet) in the table.
        _ = try await fixture.store.replace(
            try DocumentID("d1"), with: try object(#"{"n":-1}"#), expectedVersion: nil, mode: .replaceOnly,
            in: big, placement: fixture.placement)
        _ = try await fixture.store.patch(
            try DocumentID("d19999"), with: try JSONParser.parse(#"{"n":-2}"#), expectedVersion: nil,
            in: big, placement: fixture.placement)
        try await fixture.store.delete(try DocumentID("d2"), expectedVersion: nil, in: big, placement: fixture.placement)
        try await fixture.store.delete(try DocumentID("d19998"), expectedVersion: nil, in: big, placement: fixture.placement)
        _ = try await fixture.store.insert(try object(#"{"n":-3}"#), id: try DocumentID("late"), into: big, in: fixture.placement)
        #expect(
            await expectCode(.indexBuildInProgress) {
                try await fixture.store.createIndex(
                    try IndexDefinition(name: "by_group", paths: [try FieldPath("group")]), on: big, placement: fixture.placement)
            })

        let built = try await Self.waitForBuild(fixture, big, "by_n")
        #expect(built?.state == .ready)
        let plan = try await fixture.store.explain(
            try Query.parse(try JSONParser.parse(#"{"filter":{"n":5}}"#)), in: big, placement: fixture.placement)
        #expect(plan.joined().contains("_ix_by_n"), "plan: \(plan)")
        await #expect(try Self.ids(fixture, big, #"{"n":{"$lt":0}}"#) == ["d1", "d19999", "late"])
        await #expect(try Self.ids(fixture, big, #"{"n":{"$in":[1,2,19998,19999,5]}}"#) == ["d5"])
        await #expect(try fixture.store.collection(big, in: fixture.placement).documentCount == Int64(Self.documentCount - 1))
        // Writes after the switch land in the collection as it is now.
        _ = try await fixture.store.insert(try object(#"{"n":-4}"#), id: try DocumentID("after"), into: big, in: fixture.placement)
        await #expect(try Self.ids(fixture, big, #"{"n":-4}"#) == ["after"])
        await #expect(try fixture.store.document(try DocumentID("d3"), in: big, placement: fixture.placement).body.contains(#""n":3"#))
    }

    @Test func aUniqueBuildOverDuplicatesFailsAndLeavesTheCollectionAsItWas() async throws {
        let fixture = try TemporaryStore()
        let big = try await Self.large(fixture, count: StorageLimits.indexBuildSliceRowsMax * 3)
        let definition = try IndexDefinition(name: "by_group", paths: [try FieldPath("group")], unique: true)
        #expect(try await fixture.store.createIndex(definition, on: big, placement: fixture.placement).state == .building)
        let ended = try await Self.waitForBuild(fixture, big, "by_group")
        #expect(ended?.state == .failed)
        #expect(ended?.failure?.contains("duplicate") == true)
        await #expect(try Self.ids(fixture, big, #"{"n":7}"#) == ["d7"])
        try await fixture.store.dropIndex("by_group", on: big, placement: fixture.placement)
        await #expect(try fixture.store.indexes(on: big, placement: fixture.placement).isEmpty)
    }

    @Test func droppingAnIndexBeingBuiltStopsTheBuild() async throws {
        let fixture = try TemporaryStore()
        let big = try await Self.large(fixture, count: StorageLimits.indexBuildSliceRowsMax * 5)
        let definition = try IndexDefinition(name: "by_n", paths: [try FieldPath("n")])
        #expect(try await fixture.store.createIndex(definition, on: big, placement: fixture.placement).state == .building)
        try await fixture.store.dropIndex("by_n", on: big, placement: fixture.placement)
        await #expect(try fixture.store.indexes(on: big, placement: fixture.placement).isEmpty)
        #expect(try await fixture.store.createIndex(definition, on: big, placement: fixture.placement).state == .building)
        #expect(try await Self.waitForBuild(fixture, big, "by_n")?.state == .ready)
        await #expect(try Self.ids(fixture, big, #"{"n":42}"#) == ["d42"])
    }

    @Test func aSmallCollectionIsIndexedAtOnce() async throws {
        let fixture = try TemporaryStore()
        let small = try await Self.large(fixture, count: 10)
        let info = try await fixture.store.createIndex(
            try IndexDefinition(name: "by_n", paths: [try FieldPath("n")]), on: small, placement: fixture.placement)
        #expect(info.state == .ready)
    }

    @Test func droppingACollectionDuringABuildEndsTheBuildAndTheNameCanBeUsedAgain() async throws {
        let fixture = try TemporaryStore()
        let big = try await Self.large(fixture, count: StorageLimits.indexBuildSliceRowsMax * 5)
        let definition = try IndexDefinition(name: "by_n", paths: [try FieldPath("n")])
        #expect(try await fixture.store.createIndex(definition, on: big, placement: fixture.placement).state == .building)
        try await fixture.store.dropCollection(big, in: fixture.placement)
        #expect(await expectCode(.collectionNotFound) { try fixture.store.indexes(on: big, placement: fixture.placement) })
        _ = try await fixture.store.createCollection(big, in: fixture.placement)
        await #expect(try fixture.store.collection(big, in: fixture.placement).documentCount == 0)
        await #expect(try fixture.store.indexes(on: big, placement: fixture.placement).isEmpty)
        _ = try await fixture.store.insert(try object(#"{"n":1}"#), id: try DocumentID("again"), into: big, in: fixture.placement)
        await #expect(try Self.ids(fixture, big, #"{"n":1}"#) == ["again"])
    }

    @Test func aCursorFromBeforeTheSwitchPagesOnAfterIt() async throws {
        let fixture = try TemporaryStore()
        let big = try await Self.large(fixture, count: StorageLimits.indexBuildSliceRowsMax * 3)
        let query = try Query.parse(try JSONParser.parse(#"{"filter":{"n":{"$gte":10}},"sort":["n"],"limit":5}"#))
        let first = try await fixture.store.query(query, in: big, placement: fixture.placement)
        #expect(first.documents.map(\.id) == ["d10", "d11", "d12", "d13", "d14"])
        let definition = try IndexDefinition(name: "by_n", paths: [try FieldPath("n")])
        #expect(try await fixture.store.createIndex(definition, on: big, placement: fixture.placement).state == .building)
        #expect(try await Self.waitForBuild(fixture, big, "by_n")?.state == .ready)
        var next = query
        next.cursor = first.nextCursor
        await #expect(
            try fixture.store.query(next, in: big, placement: fixture.placement).documents.map(\.id) == ["d15", "d16", "d17", "d18", "d19"])
    }

    @Test func aCatalogFromBeforeIndexStatesIsUpgradedOnOpen() async throws {
        let directory = NSTemporaryDirectory() + "aerolith-upgrade-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let placement = try Placement(tablePrefix: "t_a")
        let name = try CollectionName("things")
        do {
            let store = try SQLiteDocumentStore(directory: directory)
            _ = try await store.createCollection(name, in: placement)
            _ = try await store.createIndex(try IndexDefinition(name: "by_n", paths: [try FieldPath("n")]), on: name, placement: placement)
        }
        // The catalog as an earlier version left it: no state columns.
        let old = try SQLiteConnection(path: directory + "/" + SQLiteDocumentStore.databaseFileName, mode: .readWrite, synchronous: .normal)
        try old.execute("ALTER TABLE _aerolith_indexes DROP COLUMN failure; ALTER TABLE _aerolith_indexes DROP COLUMN state")
        let store = try SQLiteDocumentStore(directory: directory)
        let indexes = try store.indexes(on: name, placement: placement)
        #expect(indexes.map(\.name) == ["by_n"] && indexes.first?.state == .ready)
    }
}
