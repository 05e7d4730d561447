extension SQLiteDocumentStore {
    /// Runs one page of `query` on `queryWork`'s threads, keyed by placement.
    public func query(_ query: Query, in collection: CollectionName, placement: Placement) async throws(StorageError) -> QueryPage {
        try await QueryWork.run(on: queryWork, placement: placement) { () throws(StorageError) in
            try self.readPage(query, in: collection, placement: placement)
        }
    }

    public func explain(_ query: Query, in collection: CollectionName, placement: Placement) async throws(StorageError) -> [String] {
        try await QueryWork.run(on: queryWork, placement: placement) { () throws(StorageError) in
            try self.explainNow(query, in: collection, placement: placement)
        }
    }

    /// One page of `query`, on this thread. Never counts the whole result.
    func readPage(_ query: Query, in collection: CollectionName, placement: Placement) throws(StorageError) -> QueryPage {
        let entry = try catalog.entry(collection, in: placement)
        let table = entry.tableName
        let scope = Self.cursorScope(entry, placement)
        let (shape, position) = try decodeCursor(query, table: table, scope: scope)
        return try readers.read { connection throws(StorageError) in
            let compiled = try resolve(query, table: table, scope: scope, shape: shape, position: position, on: connection)
            let statement = try connection.statement(compiled.sql)
            statement.bind(compiled.bindings)
            return try connection.withBudget(queryBudget, statement: statement) { () throws(StorageError) -> QueryPage in
                var documents: [Document] = []
                var lastPosition: CursorPosition?
                while try statement.step() {
                    if documents.count == query.limit {
                        statement.reset()
                        let cursor = lastPosition.map { cursors.encode($0, shape: compiled.shapeFingerprint) }
                        return QueryPage(documents: documents, nextCursor: cursor)
                    }
                    documents.append(
                        Document(
                            id: statement.string(at: 0), version: statement.int64(at: 2),
                            createdAt: Timestamp(milliseconds: statement.int64(at: 3)),
                            updatedAt: Timestamp(milliseconds: statement.int64(at: 4)), body: statement.string(at: 1)))
                    let sortValues = (0..<compiled.sortKeyCount).map { statement.value(at: Int32(6 + $0)) }
                    lastPosition = CursorPosition(sortValues: sortValues, rowID: statement.int64(at: 5))
                }
                return QueryPage(documents: documents, nextCursor: nil)
            }
        }
    }

    /// SQLite's query plan for `query`, one line per step (`EXPLAIN QUERY PLAN`): shows whether
    /// an index serves it.
    func explainNow(_ query: Query, in collection: CollectionName, placement: Placement) throws(StorageError) -> [String] {
        let entry = try catalog.entry(collection, in: placement)
        let table = entry.tableName
        let scope = Self.cursorScope(entry, placement)
        let (shape, position) = try decodeCursor(query, table: table, scope: scope)
        return try readers.read { connection throws(StorageError) in
            let compiled = try resolve(query, table: table, scope: scope, shape: shape, position: position, on: connection)
            // EXPLAIN plans with the schema the connection last loaded and never checks it is
            // current; reading the schema table first refreshes it.
            try connection.execute("SELECT count(*) FROM sqlite_schema")
            return try connection.withUncachedStatement("EXPLAIN QUERY PLAN " + compiled.sql) { statement throws(StorageError) in
                statement.bind(compiled.bindings)
                var lines: [String] = []
                while try statement.step() { lines.append(statement.string(at: 3)) }
                return lines
            }
        }
    }

    /// The query without a page position (which identifies its shape), and the checked cursor.
    /// What a cursor is bound to besides the query: the collection, not its table, which an index
    /// build replaces by a copy with the same row ids (so positions stay valid).
    private static func cursorScope(_ entry: Catalog.Entry, _ placement: Placement) -> String {
        "\(placement.tablePrefix)/\(entry.name)/\(entry.createdAt.milliseconds)"
    }

    private func decodeCursor(_ query: Query, table: String, scope: String) throws(StorageError) -> (
        SQLiteQueryCompiler.Compiled, CursorPosition?
    ) {
        guard query.limit >= 1, query.limit <= StorageLimits.queryLimitMax else {
            throw StorageError(.invalidLimit, "limit must be an integer from 1 to \(StorageLimits.queryLimitMax)")
        }
        let shape = SQLiteQueryCompiler.compile(query, table: table, cursorScope: scope, after: nil)
        guard let cursor = query.cursor else { return (shape, nil) }
        return (shape, try cursors.decode(cursor, shape: shape.shapeFingerprint, sortKeyCount: query.sort.count))
    }

    /// The statement for the page after `position`, reading the sort values of a row-id-only
    /// cursor from its row.
    private func resolve(
        _ query: Query, table: String, scope: String, shape: SQLiteQueryCompiler.Compiled, position: CursorPosition?,
        on connection: SQLiteConnection
    ) throws(StorageError) -> SQLiteQueryCompiler.Compiled {
        guard var position else { return shape }
        if position.sortValues == nil {
            let columns = query.sort.map(\.path.valueSQL).joined(separator: ", ")
            let row = try connection.statement("SELECT \(columns) FROM \"\(table)\" WHERE rid = ?")
            row.bind(position.rowID, at: 1)
            guard try row.step() else {
                throw StorageError(.invalidCursor, "the document this cursor points at was deleted; start the query again")
            }
            position.sortValues = (0..<query.sort.count).map { row.value(at: Int32($0)) }
            row.reset()
        }
        return SQLiteQueryCompiler.compile(query, table: table, cursorScope: scope, after: position)
    }
}
