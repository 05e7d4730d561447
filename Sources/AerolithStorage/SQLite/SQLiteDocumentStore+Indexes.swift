import AerolithJSON

extension SQLiteDocumentStore {
    /// Creates a secondary index and keeps it up to date. A collection of at most
    /// `StorageLimits.indexBuildSliceRowsMax` documents and `indexBuildSliceBytesMax` bytes is
    /// indexed at once (`ready`); a larger one
    /// is indexed in the background in bounded writer turns (`building`, see `IndexBuild`), so
    /// other writes never wait long behind it.
    public func createIndex(_ definition: IndexDefinition, on collection: CollectionName, placement: Placement) async throws(StorageError)
        -> IndexInfo
    {
        _ = try catalog.entry(collection, in: placement)
        let createdAt = Timestamp.now()
        let pathsJSON = JSONWriter.string(.array(definition.paths.map { .string($0.rawValue) }))
        let columns = definition.paths.map(\.valueSQL)
        let catalog = self.catalog
        let build = try await writer.write { connection throws(StorageError) -> IndexBuild.Progress? in
            let table = try catalog.entry(collection, in: placement).tableName
            let count = try connection.statement(
                "SELECT count(*), coalesce(sum(name = ?2 COLLATE NOCASE), 0) FROM _aerolith_indexes WHERE table_name = ?1")
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
            if let running = try IndexBuild.progress(of: table, on: connection) {
                throw StorageError(
                    .indexBuildInProgress,
                    "index \"\(running.indexName)\" is still being built on this collection; try again when it is ready")
            }
            let size = connection.counters.counters(of: table)
            let inBackground =
                size.documents > Int64(StorageLimits.indexBuildSliceRowsMax) || size.bytes > Int64(StorageLimits.indexBuildSliceBytesMax)
            let insert = try connection.statement(
                "INSERT INTO _aerolith_indexes (table_name, name, paths, is_unique, created_at, state) VALUES (?, ?, ?, ?, ?, ?)"
            )
            insert.bind(table, at: 1)
            insert.bind(definition.name, at: 2)
            insert.bind(pathsJSON, at: 3)
            insert.bind(definition.unique ? 1 : 0, at: 4)
            insert.bind(createdAt.milliseconds, at: 5)
            insert.bind(inBackground ? IndexInfo.State.building.rawValue : IndexInfo.State.ready.rawValue, at: 6)
            try insert.run()
            if inBackground {
                return try IndexBuild.start(
                    table: table, index: definition.name, columns: columns, unique: definition.unique, on: connection)
            }
            do throws(StorageError) {
                try connection.execute(
                    IndexBuild.createIndexSQL(table: table, index: definition.name, columns: columns, unique: definition.unique))
            } catch  where error.code == .uniqueViolation {
                throw StorageError(.uniqueViolation, "existing documents have duplicate values for \(definition.paths.map(\.rawValue))")
            }
            return nil
        }
        if let build { continueIndexBuild(build) }
        return IndexInfo(
            name: definition.name, paths: definition.paths.map(\.rawValue), unique: definition.unique, createdAt: createdAt,
            state: build == nil ? .ready : .building)
    }

    public func indexes(on collection: CollectionName, placement: Placement) throws(StorageError) -> [IndexInfo] {
        let table = try catalog.entry(collection, in: placement).tableName
        return try readers.read { connection throws(StorageError) in
            let statement = try connection.statement(
                "SELECT name, paths, is_unique, created_at, state, failure FROM _aerolith_indexes WHERE table_name = ? ORDER BY name"
            )
            statement.bind(table, at: 1)
            var result: [IndexInfo] = []
            while try statement.step() {
                result.append(
                    IndexInfo(
                        name: statement.string(at: 0), paths: (try? IndexInfo.paths(fromJSON: statement.string(at: 1))) ?? [],
                        unique: statement.int64(at: 2) != 0, createdAt: Timestamp(milliseconds: statement.int64(at: 3)),
                        state: IndexInfo.State(rawValue: statement.string(at: 4)) ?? .ready,
                        failure: statement.isNull(at: 5) ? nil : statement.string(at: 5)))
            }
            return result
        }
    }

    /// Drops an index; dropping one still building stops its build.
    public func dropIndex(_ name: String, on collection: CollectionName, placement: Placement) async throws(StorageError) {
        _ = try catalog.entry(collection, in: placement)
        let catalog = self.catalog
        let stoppedBuild = try await writer.write { connection throws(StorageError) -> Bool in
            let table = try catalog.entry(collection, in: placement).tableName
            let build = try IndexBuild.progress(of: table, on: connection)
            if let build, build.indexName.lowercased() == name.lowercased() {
                try IndexBuild.abandon(table, failure: nil, on: connection)
                return true
            }
            let select = try connection.statement("SELECT name FROM _aerolith_indexes WHERE table_name = ? AND name = ? COLLATE NOCASE")
            select.bind(table, at: 1)
            select.bind(name, at: 2)
            guard try select.step() else { throw StorageError(.indexNotFound, "index \"\(name.prefix(80))\" does not exist") }
            let stored = select.string(at: 0)
            try select.run()
            let delete = try connection.statement("DELETE FROM _aerolith_indexes WHERE table_name = ? AND name = ?")
            delete.bind(table, at: 1)
            delete.bind(stored, at: 2)
            try delete.run()
            try connection.execute("DROP INDEX IF EXISTS \"\(IndexBuild.indexSQLName(table: table, index: stored))\"")
            // A build of another index carries this one on its copy too.
            if let build {
                try connection.execute("DROP INDEX IF EXISTS \"\(IndexBuild.indexSQLName(table: build.shadow, index: stored))\"")
            }
            return false
        }
        if stoppedBuild { clearRetiredTables() }
    }
}
