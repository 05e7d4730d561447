import Foundation
import GRDB

/// The same inserts and point gets through GRDB's `DatabasePool` (WAL, one writer, reader
/// pool, cached statements): the measurement behind the storage layer using the SQLite C API
/// directly on its hot path.
enum GRDBBaseline {
    static func run(ids: [String], bodies: [String], lookups: [String]) throws -> (insert: Double, get: Double) {
        let directory = try temporaryDirectory("grdb")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous=NORMAL") }
        let pool = try DatabasePool(path: directory + "/grdb.db", configuration: configuration)
        try pool.write { db in
            try db.execute(
                sql:
                    "CREATE TABLE items (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)"
            )
        }
        let insert = try StorageBenchmark.measureSync(operations: ids.count) {
            for index in ids.indices {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try pool.write { db in
                    try db.cachedStatement(sql: "INSERT INTO items (id, body, version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)")
                        .execute(arguments: [ids[index], bodies[index], now, now])
                }
            }
        }
        var bytes = 0
        let get = try StorageBenchmark.measureSync(operations: lookups.count) {
            for id in lookups {
                let body: String? = try pool.read { db in
                    guard
                        let row = try Row.fetchOne(
                            db.cachedStatement(sql: "SELECT body, version, created_at, updated_at FROM items WHERE id = ?"),
                            arguments: [id])
                    else { return nil }
                    let version: Int64 = row[1]
                    return (row[0] as String) + String(version)
                }
                bytes &+= body?.utf8.count ?? 0
            }
        }
        precondition(bytes > 0)
        return (insert, get)
    }
}
