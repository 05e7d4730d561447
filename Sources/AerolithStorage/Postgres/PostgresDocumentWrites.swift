import AerolithJSON
import PostgresNIO

/// The write statements on one collection's table, run inside a transaction. Each locks the
/// document's row before checking it, adds its count change to `delta` (recorded by the caller
/// before commit), and keeps the SQLite store's rules and error codes (`DocumentWrites`).
struct PostgresDocumentWrites {
    let table: String
    let connection: PostgresConnection
    let logger: Logger
    var delta = PostgresCounters.Delta()

    struct Current {
        let version: Int64
        let createdAt: Int64
        let sizeBytes: Int64
        let body: String
    }

    private func rows(_ statement: PostgresStatement) async throws -> [PostgresRow] {
        try await connection.query(statement.query, logger: logger).collect()
    }

    func current(_ id: String) async throws -> Current? {
        var select = PostgresStatement()
        select.sql = "SELECT version, created_at, size_bytes, body_text FROM \"\(table)\" WHERE id = \(select.bind(id)) FOR UPDATE"
        guard let row = try await rows(select).first else { return nil }
        let (version, createdAt, size, body) = try row.decode((Int64, Int64, Int64, String).self)
        return Current(version: version, createdAt: createdAt, sizeBytes: size, body: body)
    }

    /// Inserts the document; nil when a document with this id exists (committed, or being
    /// inserted by a transaction that then commits).
    private mutating func tryInsert(id: String, body: String, now: Timestamp) async throws -> Document? {
        let size = Document.storedSizeBytes(id: id, body: body)
        var insert = PostgresStatement()
        let text = insert.bind(body)
        insert.sql = """
            INSERT INTO "\(table)" (id, body, body_text, version, created_at, updated_at, size_bytes)
            VALUES (\(insert.bind(id)), \(text)::jsonb, \(text), 1, \(insert.bind(now.milliseconds)), \(insert.bind(now.milliseconds)), \(insert.bind(size)))
            ON CONFLICT (id) DO NOTHING RETURNING rid
            """
        guard try await rows(insert).first != nil else { return nil }
        delta.add(documents: 1, bytes: size)
        return Document(id: id, version: 1, createdAt: now, updatedAt: now, body: body)
    }

    mutating func insert(id: String, body: String, now: Timestamp) async throws -> Document {
        guard let document = try await tryInsert(id: id, body: body, now: now) else {
            throw StorageError(.documentExists, "a document with id \"\(id)\" already exists")
        }
        return document
    }

    /// Replaces the body; returns the document and whether it was created.
    mutating func replace(id: String, body: String, expectedVersion: Int64?, mode: ReplaceMode, now: Timestamp) async throws -> (
        Document, created: Bool
    ) {
        // Twice at most: a concurrent insert of the same id can win between the lock and ours.
        for _ in 0..<2 {
            let current = try await current(id)
            if mode == .createOnly, current != nil {
                throw StorageError(.documentExists, "a document with id \"\(id)\" already exists")
            }
            if mode == .replaceOnly, current == nil {
                throw StorageError(.versionConflict, "document \"\(id)\" does not exist")
            }
            try DocumentWrites.checkVersionOf(current.map(\.version), expected: expectedVersion, id: id)
            if let current {
                return (try await update(id: id, body: body, current: current, now: now), false)
            }
            if let created = try await tryInsert(id: id, body: body, now: now) { return (created, true) }
            if mode == .createOnly { throw StorageError(.documentExists, "a document with id \"\(id)\" already exists") }
        }
        throw StorageError(.versionConflict, "document \"\(id)\" changed concurrently; try again")
    }

    mutating func update(id: String, body: String, current: Current, now: Timestamp) async throws -> Document {
        let size = Document.storedSizeBytes(id: id, body: body)
        let version = current.version + 1
        var update = PostgresStatement()
        let text = update.bind(body)
        update.sql = """
            UPDATE "\(table)" SET body = \(text)::jsonb, body_text = \(text), version = \(update.bind(version)),
            updated_at = \(update.bind(now.milliseconds)), size_bytes = \(update.bind(size)) WHERE id = \(update.bind(id))
            """
        try await connection.query(update.query, logger: logger)
        delta.add(documents: 0, bytes: size - current.sizeBytes)
        return Document(id: id, version: version, createdAt: Timestamp(milliseconds: current.createdAt), updatedAt: now, body: body)
    }

    /// Applies a merge patch in Swift (the same `MergePatch` as the SQLite store) to the locked row.
    mutating func patch(id: String, patch: JSONValue, expectedVersion: Int64?, now: Timestamp) async throws -> Document {
        guard let current = try await current(id) else {
            if expectedVersion != nil { try DocumentWrites.checkVersionOf(nil, expected: expectedVersion, id: id) }
            throw StorageError(.documentNotFound, "document \"\(id)\" does not exist")
        }
        try DocumentWrites.checkVersionOf(current.version, expected: expectedVersion, id: id)
        return try await update(id: id, body: try DocumentBody.patched(current.body, with: patch), current: current, now: now)
    }

    mutating func delete(id: String, expectedVersion: Int64?) async throws {
        guard let current = try await current(id) else {
            if expectedVersion != nil { try DocumentWrites.checkVersionOf(nil, expected: expectedVersion, id: id) }
            throw StorageError(.documentNotFound, "document \"\(id)\" does not exist")
        }
        try DocumentWrites.checkVersionOf(current.version, expected: expectedVersion, id: id)
        var delete = PostgresStatement()
        delete.sql = "DELETE FROM \"\(table)\" WHERE id = \(delete.bind(id))"
        try await connection.query(delete.query, logger: logger)
        delta.add(documents: -1, bytes: -current.sizeBytes)
    }
}

extension DocumentWrites {
    /// `checkVersion` on a bare version, for stores that hold rows of another shape.
    static func checkVersionOf(_ version: Int64?, expected: Int64?, id: String) throws(StorageError) {
        guard let expected else { return }
        guard let version else {
            throw StorageError(.versionConflict, "document \"\(id)\" does not exist, so it cannot match version \(expected)")
        }
        guard version == expected else {
            throw StorageError(.versionConflict, "document \"\(id)\" is at version \(version), not \(expected)")
        }
    }
}
