import AerolithJSON
import AerolithStorage
import CSQLite
import Foundation
import Logging

/// Single-document inserts and point gets through `DocumentStore`, against the raw SQLite C API
/// doing the same work (same schema, WAL, `synchronous=NORMAL`, prepared statements, the body
/// read back into a Swift string) in the same run.
enum StorageBenchmark {
    static let documentCount = 10_000
    static let targetInsertRatio = 0.5
    static let targetGetRatio = 0.5

    static func body(_ index: Int) -> String {
        #"{"name":"user \#(index)","email":"user\#(index)@example.com","age":\#(index % 90),"tags":["a","b"],"address":{"city":"Oslo","zip":"0150"}}"#
    }

    /// Each contender runs this many times, interleaved, and its best round counts: on a shared
    /// machine the best round is the one least disturbed by other work.
    static let rounds = 5

    static func run() async throws {
        print(
            "== storage: \(documentCount) sequential single-document inserts, then \(documentCount) point gets; best of \(rounds) interleaved rounds =="
        )
        let ids = (0..<documentCount).map { "doc-\($0)" }
        let lookups = ids.shuffled()
        let bodies = ids.indices.map { JSONWriter.string(try! JSONParser.parse(body($0))) }
        var best: [String: (insert: Double, get: Double)] = [:]
        func keep(_ name: String, _ figures: (Double, Double)) {
            let previous = best[name] ?? (0, 0)
            best[name] = (max(previous.insert, figures.0), max(previous.get, figures.1))
        }
        for _ in 0..<rounds {
            keep("raw", try raw(ids: ids, lookups: lookups))
            keep("store", try await store(ids: ids, lookups: lookups))
            keep("grdb", try GRDBBaseline.run(ids: ids, bodies: bodies, lookups: lookups))
        }
        let raw = best["raw"]!
        let store = best["store"]!
        let grdb = best["grdb"]!
        func ratio(_ value: Double, _ base: Double) -> String { String(format: "%.2f", value / base) }
        print("                       ops/s")
        print("raw C insert      \(format(raw.insert))")
        print("store insert      \(format(store.insert))   ratio \(ratio(store.insert, raw.insert)) (target >= \(targetInsertRatio))")
        print("GRDB insert       \(format(grdb.insert))   ratio \(ratio(grdb.insert, raw.insert))")
        print("raw C get         \(format(raw.get))")
        print("store get         \(format(store.get))   ratio \(ratio(store.get, raw.get)) (target >= \(targetGetRatio))")
        print("GRDB get          \(format(grdb.get))   ratio \(ratio(grdb.get, raw.get))")
    }

    static func store(ids: [String], lookups: [String]) async throws -> (Double, Double) {
        let directory = try temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let store = try SQLiteDocumentStore(directory: directory, durability: .processCrash, logger: logger)
        let placement = try Placement(tablePrefix: "t_bench")
        let name = try CollectionName("items")
        _ = try await store.createCollection(name, in: placement)
        let bodies = try ids.indices.map { index -> JSONObject in
            guard case .object(let object) = try JSONParser.parse(body(index)) else { fatalError("benchmark body is not an object") }
            return object
        }
        let documentIDs = try ids.map { try DocumentID($0) }
        let lookupIDs = try lookups.map { try DocumentID($0) }
        let insert = try await measure(operations: ids.count) {
            for index in ids.indices {
                _ = try await store.insert(bodies[index], id: documentIDs[index], into: name, in: placement)
            }
        }
        var bytes = 0
        let get = try await measure(operations: lookups.count) {
            for id in lookupIDs { bytes &+= try await store.document(id, in: name, placement: placement).body.utf8.count }
        }
        precondition(bytes > 0)
        return (insert, get)
    }

    static func raw(ids: [String], lookups: [String]) throws -> (Double, Double) {
        let directory = try temporaryDirectory("raw")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var db: OpaquePointer?
        guard
            sqlite3_open_v2(directory + "/raw.db", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK
        else {
            throw BenchmarkError("cannot open raw database")
        }
        defer { sqlite3_close_v2(db) }
        for sql in [
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
            "CREATE TABLE items (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
        ] {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchmarkError("setup failed: \(sql)") }
        }
        var insertStatement: OpaquePointer?
        sqlite3_prepare_v2(
            db, "INSERT INTO items (id, body, version, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?3)", -1, &insertStatement, nil)
        defer { sqlite3_finalize(insertStatement) }
        let bodies = ids.indices.map { JSONWriter.string(try! JSONParser.parse(body($0))) }
        let insert = try measureSync(operations: ids.count) {
            for index in ids.indices {
                bind(ids[index], to: insertStatement, at: 1)
                bind(bodies[index], to: insertStatement, at: 2)
                sqlite3_bind_int64(insertStatement, 3, Int64(Date().timeIntervalSince1970 * 1000))
                guard sqlite3_step(insertStatement) == SQLITE_DONE else { throw BenchmarkError("insert failed") }
                sqlite3_reset(insertStatement)
            }
        }
        var selectStatement: OpaquePointer?
        sqlite3_prepare_v2(db, "SELECT body, version, created_at, updated_at FROM items WHERE id = ?", -1, &selectStatement, nil)
        defer { sqlite3_finalize(selectStatement) }
        var bytes = 0
        let get = try measureSync(operations: lookups.count) {
            for id in lookups {
                bind(id, to: selectStatement, at: 1)
                guard sqlite3_step(selectStatement) == SQLITE_ROW, let text = sqlite3_column_text(selectStatement, 0) else {
                    throw BenchmarkError("get failed")
                }
                let body = String(cString: text)
                bytes &+= body.utf8.count &+ Int(sqlite3_column_int64(selectStatement, 1))
                sqlite3_reset(selectStatement)
            }
        }
        precondition(bytes > 0)
        return (insert, get)
    }

    private static func bind(_ text: String, to statement: OpaquePointer?, at index: Int32) {
        sqlite3_bind_text(statement, index, text, -1, aerolith_sqlite_transient())
    }

    /// Synchronous variant of `measure` for the raw loop.
    static func measureSync(operations: Int, _ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        return Double(operations) / (nanoseconds(since: start) / 1e9)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
