extension DocumentStore {
    /// Builds a secondary index over existing documents and keeps it up to date. Building
    /// holds the writer: other writes wait until it is done.
    public func createIndex(_ definition: IndexDefinition, on collection: CollectionName, placement: Placement) async throws(StorageError) -> IndexInfo {
        let table = try catalog.entry(collection, in: placement).tableName
        let createdAt = Timestamp.now()
        let pathsJSON = JSONWriter.string(.array(definition.paths.map { .string($0.rawValue) }))
        let columns = definition.paths.map(\.valueSQL).joined(separator: ", ")
        try await writer.write { connection throws(StorageError) in
            let count = try connection.statement("SELECT count(*), coalesce(sum(name = ?2 COLLATE NOCASE), 0) FROM _aerolith_indexes WHERE table_name = ?1")
            count.bind(table, at: 1)
            count.bind(definition.name, at: 2)
            _ = try count.step()
            let existing = count.int64(at: 0)
            let sameName = count.int64(at: 1)
            try count.run()
            // SQLite index names ignore case, so "ByAge" and "byage" are the same index.
            guard sameName == 0 else { throw StorageError(.indexExists, "index \"\(definition.name)\" already exists (names ignore case)") }
            guard existing < StorageLimits.indexesPerCollectionMax else {
                throw StorageError(.indexLimitReached, "a collection has at most \(StorageLimits.indexesPerCollectionMax) indexes")
            }
            let insert = try connection.statement(
                "INSERT INTO _aerolith_indexes (table_name, name, paths, is_unique, created_at) VALUES (?, ?, ?, ?, ?)"
            )
            insert.bind(table, at: 1)
            insert.bind(definition.name, at: 2)
            insert.bind(pathsJSON, at: 3)
            insert.bind(definition.unique ? 1 : 0, at: 4)
            insert.bind(createdAt.milliseconds, at: 5)
            try insert.run()
            do throws(StorageError) {
                try connection.execute("CREATE \(definition.unique ? "UNIQUE " : "")INDEX \"\(table)_ix_\(definition.name)\" ON \"\(table)\" (\(columns))")
            } catch where error.code == .uniqueViolation {
                throw StorageError(.uniqueViolation, "existing documents have duplicate values for \(definition.paths.map(\.rawValue))")
            }
        }
        return IndexInfo(name: definition.name, paths: definition.paths.map(\.rawValue), unique: definition.unique, createdAt: createdAt)
    }

    public func indexes(on collection: CollectionName, placement: Placement) throws(StorageError) -> [IndexInfo] {
        let table = try catalog.entry(collection, in: placement).tableName
        return try readers.read { connection throws(StorageError) in
            let statement = try connection.statement("SELECT name, paths, is_unique, created_at FROM _aerolith_indexes WHERE table_name = ? ORDER BY name")
            statement.bind(table, at: 1)
            var result: [IndexInfo] = []
            while try statement.step() {
                let paths = (try? JSONParser.parse(statement.string(at: 1)))
                    .flatMap { value -> [String]? in
                        guard case .array(let elements) = value else { return nil }
                        return elements.compactMap(\.stringValue)
                    } ?? []
                result.append(IndexInfo(name: statement.string(at: 0), paths: paths, unique: statement.int64(at: 2) != 0,
                                        createdAt: Timestamp(milliseconds: statement.int64(at: 3))))
            }
            return result
        }
    }

    public func dropIndex(_ name: String, on collection: CollectionName, placement: Placement) async throws(StorageError) {
        let table = try catalog.entry(collection, in: placement).tableName
        try await writer.write { connection throws(StorageError) in
            let delete = try connection.statement("DELETE FROM _aerolith_indexes WHERE table_name = ? AND name = ? COLLATE NOCASE")
            delete.bind(table, at: 1)
            delete.bind(name, at: 2)
            try delete.run()
            guard connection.changes == 1 else { throw StorageError(.indexNotFound, "index \"\(name.prefix(80))\" does not exist") }
            try connection.execute("DROP INDEX IF EXISTS \"\(table)_ix_\(name)\"")
        }
    }
}
