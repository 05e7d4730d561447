import AerolithJSON

/// The write operations on one collection's table, run inside a write transaction by the
/// group-commit leader. Each keeps the collection's counters in the same transaction, so counts
/// and sizes can never drift from the data.
enum DocumentWrites {
    struct Current {
        let version: Int64
        let createdAt: Int64
        let sizeBytes: Int64
        let body: String
    }

    static func current(_ id: String, table: String, on connection: WriteTransaction) throws(StorageError) -> Current? {
        let statement = try connection.statement("SELECT version, created_at, body FROM \"\(table)\" WHERE id = ?")
        statement.bind(id, at: 1)
        guard try statement.step() else { return nil }
        let body = statement.string(at: 2)
        let current = Current(
            version: statement.int64(at: 0), createdAt: statement.int64(at: 1),
            sizeBytes: Document.storedSizeBytes(id: id, body: body), body: body)
        try statement.run()
        return current
    }

    static func insert(id: String, body: String, now: Timestamp, table: String, on connection: WriteTransaction) throws(StorageError)
        -> Document
    {
        let statement = try connection.statement(
            "INSERT INTO \"\(table)\" (id, body, version, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?3) ON CONFLICT(id) DO NOTHING"
        )
        statement.bind(id, at: 1)
        statement.bind(body, at: 2)
        statement.bind(now.milliseconds, at: 3)
        try statement.run()
        guard connection.changes == 1 else {
            throw StorageError(.documentExists, "a document with id \"\(id)\" already exists")
        }
        try connection.counters.record(
            table: table, documents: 1, bytes: Document.storedSizeBytes(id: id, body: body), on: connection.connection)
        return Document(id: id, version: 1, createdAt: now, updatedAt: now, body: body)
    }

    static func checkVersion(_ current: Current?, expected: Int64?, id: String) throws(StorageError) {
        guard let expected else { return }
        guard let current else {
            throw StorageError(.versionConflict, "document \"\(id)\" does not exist, so it cannot match version \(expected)")
        }
        guard current.version == expected else {
            throw StorageError(.versionConflict, "document \"\(id)\" is at version \(current.version), not \(expected)")
        }
    }

    /// Replaces the body; returns the document and whether it was created.
    static func replace(
        id: String, body: String, expectedVersion: Int64?, mode: ReplaceMode, now: Timestamp,
        table: String, on connection: WriteTransaction
    ) throws(StorageError) -> (Document, created: Bool) {
        let current = try current(id, table: table, on: connection)
        if mode == .createOnly, current != nil {
            throw StorageError(.documentExists, "a document with id \"\(id)\" already exists")
        }
        if mode == .replaceOnly, current == nil {
            throw StorageError(.versionConflict, "document \"\(id)\" does not exist")
        }
        try checkVersion(current, expected: expectedVersion, id: id)
        guard let current else {
            return (try insert(id: id, body: body, now: now, table: table, on: connection), true)
        }
        return (try update(id: id, body: body, current: current, now: now, table: table, on: connection), false)
    }

    static func update(
        id: String, body: String, current: Current, now: Timestamp, table: String,
        on connection: WriteTransaction
    ) throws(StorageError) -> Document {
        let statement = try connection.statement("UPDATE \"\(table)\" SET body = ?1, version = ?2, updated_at = ?3 WHERE id = ?4")
        let version = current.version + 1
        statement.bind(body, at: 1)
        statement.bind(version, at: 2)
        statement.bind(now.milliseconds, at: 3)
        statement.bind(id, at: 4)
        try statement.run()
        let delta = Document.storedSizeBytes(id: id, body: body) - current.sizeBytes
        try connection.counters.record(table: table, documents: 0, bytes: delta, on: connection.connection)
        return Document(id: id, version: version, createdAt: Timestamp(milliseconds: current.createdAt), updatedAt: now, body: body)
    }

    static func patch(
        id: String, patch: JSONValue, expectedVersion: Int64?, now: Timestamp, table: String,
        on connection: WriteTransaction
    ) throws(StorageError) -> Document {
        guard let current = try current(id, table: table, on: connection) else {
            if expectedVersion != nil { try checkVersion(nil, expected: expectedVersion, id: id) }
            throw StorageError(.documentNotFound, "document \"\(id)\" does not exist")
        }
        try checkVersion(current, expected: expectedVersion, id: id)
        let body = try DocumentBody.patched(current.body, with: patch)
        return try update(id: id, body: body, current: current, now: now, table: table, on: connection)
    }

    static func delete(id: String, expectedVersion: Int64?, table: String, on connection: WriteTransaction) throws(StorageError) {
        guard let current = try current(id, table: table, on: connection) else {
            if expectedVersion != nil { try checkVersion(nil, expected: expectedVersion, id: id) }
            throw StorageError(.documentNotFound, "document \"\(id)\" does not exist")
        }
        try checkVersion(current, expected: expectedVersion, id: id)
        let statement = try connection.statement("DELETE FROM \"\(table)\" WHERE id = ?")
        statement.bind(id, at: 1)
        try statement.run()
        try connection.counters.record(table: table, documents: -1, bytes: -current.sizeBytes, on: connection.connection)
    }
}
