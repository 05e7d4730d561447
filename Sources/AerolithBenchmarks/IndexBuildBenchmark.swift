import AerolithJSON
import AerolithStorage
import Foundation

/// The longest single write of another tenant while an index is built on a large collection. A
/// build used to be one writer turn, so a write queued behind it waited for all of it; now it
/// waits for one slice at most.
enum IndexBuildBenchmark {
    static let documentCount = 80_000
    static let batchSize = 100

    static func run() async throws {
        let store = try SQLiteDocumentStore(directory: try temporaryDirectory("index"))
        let builder = try Placement(tablePrefix: "t_builder")
        let writer = try Placement(tablePrefix: "t_writer")
        let big = try CollectionName("big")
        let notes = try CollectionName("notes")
        _ = try await store.createCollection(big, in: builder)
        _ = try await store.createCollection(notes, in: writer)
        for start in stride(from: 0, to: documentCount, by: batchSize) {
            let operations = try (start..<start + batchSize).map { index in
                BatchOperation.insert(id: nil, body: try object(#"{"n":\#(index),"name":"document \#(index)","tags":["a","b"]}"#))
            }
            _ = try await store.batch(operations, in: big, placement: builder)
        }
        let note = try object(#"{"text":"a note"}"#)
        var idleWorst = 0.0
        for _ in 0..<200 {
            let start = ContinuousClock.now
            _ = try await store.insert(note, id: nil, into: notes, in: writer)
            idleWorst = max(idleWorst, nanoseconds(since: start))
        }
        let buildStart = ContinuousClock.now
        _ = try await store.createIndex(try IndexDefinition(name: "by_n", paths: [try FieldPath("n")]), on: big, placement: builder)
        var duringWorst = 0.0
        var writes = 0
        while try await store.indexes(on: big, placement: builder).first?.state == .building {
            let start = ContinuousClock.now
            _ = try await store.insert(note, id: nil, into: notes, in: writer)
            duringWorst = max(duringWorst, nanoseconds(since: start))
            writes += 1
        }
        let build = nanoseconds(since: buildStart)
        print("index build on \(documentCount) documents, \(writes) writes of another tenant meanwhile")
        print("  longest write, no build:        \(milliseconds(idleWorst)) ms")
        print("  longest write, during the build: \(milliseconds(duringWorst)) ms")
        print("  whole build (about what a write waited when a build was one writer turn): \(milliseconds(build)) ms")
        print("  ratio one-turn wait / longest write during the build: \(String(format: "%.1f", build / max(duringWorst, 1)))")
    }

    static func milliseconds(_ nanoseconds: Double) -> String { String(format: "%.1f", nanoseconds / 1e6) }

    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(text) else { throw StorageError(.bodyNotObject, "not an object") }
        return object
    }
}
