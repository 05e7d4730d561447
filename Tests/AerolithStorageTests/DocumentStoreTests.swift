import AerolithJSON
import Foundation
import Testing

@testable import AerolithStorage

@Suite struct DocumentStoreTests {
    @Test func crudWithVersions() async throws {
        let fixture = try TemporaryStore()
        let users = try await fixture.collection("users")
        let store = fixture.store
        let created = try await store.insert(
            try object(#"{"name":"Ann","age":30}"#), id: try DocumentID("ann"), into: users, in: fixture.placement)
        #expect(created.version == 1)
        #expect(created.body == #"{"name":"Ann","age":30}"#)
        await #expect(try store.document(try DocumentID("ann"), in: users, placement: fixture.placement) == created)

        #expect(
            await expectCode(.documentExists) {
                try await store.insert(try object("{}"), id: try DocumentID("ann"), into: users, in: fixture.placement)
            })
        #expect(
            await expectCode(.versionConflict) {
                try await store.replace(
                    try DocumentID("ann"), with: try object("{}"), expectedVersion: 7, mode: .upsert, in: users,
                    placement: fixture.placement)
            })
        let (replaced, wasCreated) = try await store.replace(
            try DocumentID("ann"), with: try object(#"{"name":"Ann","age":31}"#),
            expectedVersion: 1, mode: .upsert, in: users, placement: fixture.placement)
        #expect(!wasCreated && replaced.version == 2 && replaced.createdAt == created.createdAt)

        let patched = try await store.patch(
            try DocumentID("ann"), with: try JSONParser.parse(#"{"age":null,"tags":["x"]}"#),
            expectedVersion: 2, in: users, placement: fixture.placement)
        #expect(patched.version == 3 && patched.body == #"{"name":"Ann","tags":["x"]}"#)

        #expect(
            await expectCode(.documentExists) {
                try await store.replace(
                    try DocumentID("ann"), with: try object("{}"), expectedVersion: nil, mode: .createOnly, in: users,
                    placement: fixture.placement)
            })
        #expect(
            await expectCode(.versionConflict) {
                try await store.replace(
                    try DocumentID("nobody"), with: try object("{}"), expectedVersion: nil, mode: .replaceOnly, in: users,
                    placement: fixture.placement)
            })
        #expect(
            await expectCode(.versionConflict) {
                try await store.delete(try DocumentID("ann"), expectedVersion: 2, in: users, placement: fixture.placement)
            })
        try await store.delete(try DocumentID("ann"), expectedVersion: 3, in: users, placement: fixture.placement)
        #expect(await expectCode(.documentNotFound) { try store.document(try DocumentID("ann"), in: users, placement: fixture.placement) })
        #expect(
            await expectCode(.documentNotFound) {
                try await store.delete(try DocumentID("ann"), expectedVersion: nil, in: users, placement: fixture.placement)
            })
    }

    @Test func generatedIDsAreTimeOrderedULIDs() async throws {
        let ids = (0..<1_000).map { _ in DocumentID.generate().rawValue }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 26 })
    }

    @Test(arguments: [
        "", ".", "..", "../etc", "a/b", "a b", "a\u{0}b", "é", String(repeating: "x", count: 129), "x;DROP TABLE t", "a'b", "a\"b",
    ])
    func rejectsBadDocumentIDs(_ id: String) {
        #expect(throws: StorageError.self) { try DocumentID(id) }
    }

    @Test(arguments: ["", "1abc", "_sys", "a.b", "../x", "a/b", "a;DROP TABLE x", "users\u{7}", "ü", String(repeating: "c", count: 65)])
    func rejectsBadCollectionNames(_ name: String) {
        #expect(throws: StorageError.self) { try CollectionName(name) }
    }

    @Test func countersTrackDocumentsAndBytes() async throws {
        let fixture = try TemporaryStore()
        let items = try await fixture.collection("items")
        let store = fixture.store
        for index in 0..<10 {
            _ = try await store.insert(try object(#"{"n":\#(index)}"#), id: try DocumentID("d\(index)"), into: items, in: fixture.placement)
        }
        try await store.delete(try DocumentID("d0"), expectedVersion: nil, in: items, placement: fixture.placement)
        _ = try await store.patch(
            try DocumentID("d1"), with: try JSONParser.parse(#"{"pad":"0123456789"}"#), expectedVersion: nil, in: items,
            placement: fixture.placement)
        let info = try await store.collection(items, in: fixture.placement)
        #expect(info.documentCount == 9)
        let expectedBytes =
            (2...9).map { Int64("d\($0)".utf8.count + #"{"n":\#($0)}"#.utf8.count + 40) }.reduce(0, +)
            + Int64("d1".utf8.count + #"{"n":1,"pad":"0123456789"}"#.utf8.count + 40)
        #expect(info.sizeBytes == expectedBytes)
        let usage = try await store.usage(in: fixture.placement)
        #expect(usage == StorageUsage(collectionCount: 1, documentCount: 9, sizeBytes: expectedBytes))
    }

    @Test func placementsAreIsolated() async throws {
        let fixture = try TemporaryStore()
        let other = try Placement(tablePrefix: "t_other")
        let name = try await fixture.collection("shared")
        _ = try await fixture.store.insert(try object("{}"), id: try DocumentID("x"), into: name, in: fixture.placement)
        #expect(await expectCode(.collectionNotFound) { try fixture.store.document(try DocumentID("x"), in: name, placement: other) })
        _ = try await fixture.store.createCollection(name, in: other)
        #expect(await expectCode(.documentNotFound) { try fixture.store.document(try DocumentID("x"), in: name, placement: other) })
        await #expect(try fixture.store.collections(in: other).map(\.documentCount) == [0])
    }

    @Test func batchIsAtomic() async throws {
        let fixture = try TemporaryStore()
        let items = try await fixture.collection("items")
        let store = fixture.store
        _ = try await store.insert(try object(#"{"v":1}"#), id: try DocumentID("keep"), into: items, in: fixture.placement)
        do {
            _ = try await store.batch(
                [
                    .insert(id: try DocumentID("new1"), body: try object("{}")),
                    .patch(id: try DocumentID("keep"), patch: try JSONParser.parse(#"{"v":2}"#), expectedVersion: 1),
                    .insert(id: try DocumentID("keep"), body: try object("{}")),
                ], in: items, placement: fixture.placement)
            Issue.record("batch with a duplicate id succeeded")
        } catch let error as StorageError {
            #expect(error.code == .documentExists && error.operationIndex == 2)
        }
        await #expect(try store.findDocument(try DocumentID("new1"), in: items, placement: fixture.placement) == nil)
        await #expect(try store.document(try DocumentID("keep"), in: items, placement: fixture.placement).version == 1)
        await #expect(try store.collection(items, in: fixture.placement).documentCount == 1)

        let results = try await store.batch(
            [
                .insert(id: try DocumentID("a"), body: try object("{}")),
                .replace(id: try DocumentID("keep"), body: try object(#"{"v":3}"#), expectedVersion: 1),
                .delete(id: try DocumentID("a"), expectedVersion: 1),
            ], in: items, placement: fixture.placement)
        #expect(results.count == 3)
        await #expect(try store.collection(items, in: fixture.placement).documentCount == 1)
        #expect(
            await expectCode(.batchTooLarge) {
                try await store.batch(
                    Array(repeating: .insert(id: nil, body: JSONObject()), count: StorageLimits.batchOperationsMax + 1),
                    in: items, placement: fixture.placement)
            })
    }

    @Test func concurrentWritersAndReadersNeverSeeBusy() async throws {
        let fixture = try TemporaryStore()
        let items = try await fixture.collection("items")
        let store = fixture.store
        let placement = fixture.placement
        let writers = 32
        let writesPerWriter = 50
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<writesPerWriter {
                        let id = try DocumentID("w\(writer)-\(index)")
                        _ = try await store.insert(
                            try object(#"{"writer":\#(writer),"index":\#(index)}"#), id: id, into: items, in: placement)
                        _ = try await store.document(id, in: items, placement: placement)
                        _ = try await store.query(
                            Query(filter: .compare(try FieldPath("writer"), .equal(.integer(Int64(writer)))), limit: 10),
                            in: items, placement: placement)
                    }
                }
            }
            try await group.waitForAll()
        }
        await #expect(try store.collection(items, in: placement).documentCount == Int64(writers * writesPerWriter))
    }

    @Test func dataSurvivesReopen() async throws {
        let directory = NSTemporaryDirectory() + "aerolith-reopen-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let placement = try Placement(tablePrefix: "t_a")
        let name = try CollectionName("things")
        var cursor: String?
        do {
            let store = try SQLiteDocumentStore(directory: directory)
            _ = try await store.createCollection(name, in: placement)
            for index in 0..<5 { _ = try await store.insert(try object(#"{"i":\#(index)}"#), id: nil, into: name, in: placement) }
            cursor = try await store.query(Query(limit: 2), in: name, placement: placement).nextCursor
        }
        let reopened = try SQLiteDocumentStore(directory: directory)
        #expect(try reopened.collection(name, in: placement).documentCount == 5)
        // Cursors are signed with a key kept in the database, so they survive a restart.
        let page = try await reopened.query(Query(limit: 10, cursor: cursor), in: name, placement: placement)
        #expect(page.documents.count == 3)
    }
}

@Suite struct CounterPersistenceTests {
    func catalogRow(_ directory: String) throws -> (documents: Int64, dirty: Int64) {
        let connection = try SQLiteConnection(
            path: directory + "/" + SQLiteDocumentStore.databaseFileName, mode: .readOnly, synchronous: .normal)
        let statement = try connection.statement("SELECT document_count, counters_dirty FROM _aerolith_collections WHERE name = 'counted'")
        guard try statement.step() else { throw StorageError(.collectionNotFound, "no row") }
        defer { statement.reset() }
        return (statement.int64(at: 0), statement.int64(at: 1))
    }

    /// Totals live in memory between flushes; the row says so, and a flush writes them back.
    @Test func flushWritesTotalsBack() async throws {
        let fixture = try TemporaryStore()
        let name = try await fixture.collection("counted")
        for _ in 0..<3 { _ = try await fixture.store.insert(try object("{}"), id: nil, into: name, in: fixture.placement) }
        #expect(try catalogRow(fixture.directory) == (0, 1))
        try await fixture.store.flush()
        #expect(try catalogRow(fixture.directory) == (3, 0))
        _ = try await fixture.store.insert(try object("{}"), id: nil, into: name, in: fixture.placement)
        #expect(try catalogRow(fixture.directory).dirty == 1)
        await #expect(try fixture.store.collection(name, in: fixture.placement).documentCount == 4)
    }
}
