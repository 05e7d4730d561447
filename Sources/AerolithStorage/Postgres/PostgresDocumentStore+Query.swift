import PostgresNIO

extension PostgresDocumentStore {
    /// Runs one page of `query` under `statement_timeout`, holding a thread of `queryWork` (keyed
    /// by placement) while the server answers.
    public func query(_ query: Query, in collection: CollectionName, placement: Placement) async throws(StorageError) -> QueryPage {
        try await onQueryWork(placement) { () throws(StorageError) in try await self.readPage(query, in: collection, placement: placement) }
    }

    public func explain(_ query: Query, in collection: CollectionName, placement: Placement) async throws(StorageError) -> [String] {
        try await onQueryWork(placement) { () throws(StorageError) in try await self.explainNow(query, in: collection, placement: placement)
        }
    }

    private func onQueryWork<T: Sendable>(_ placement: Placement, _ body: @escaping @Sendable () async throws(StorageError) -> T)
        async throws(StorageError) -> T
    {
        // Without a pool the query waits on the caller's task; with one, on a pool thread of its own.
        guard let queryWork else { return try await body() }
        return try await QueryWork.run(on: queryWork, placement: placement) { () throws(StorageError) in try BlockingWait.run(body) }
    }

    /// One page of `query`. Never counts the whole result.
    func readPage(_ query: Query, in collection: CollectionName, placement: Placement) async throws(StorageError) -> QueryPage {
        try await onCollection(collection, in: placement) { entry throws(StorageError) in
            let (shape, position) = try decodeCursor(query, entry: entry, placement: placement)
            let cursors = self.cursors
            return try await withReadConnection(placement) { connection in
                let compiled = try await self.resolve(
                    query, entry: entry, placement: placement, shape: shape, position: position, on: connection)
                let rows = try await self.rows(compiled.statement, on: connection)
                var documents: [Document] = []
                var lastPosition: CursorPosition?
                for row in rows {
                    if documents.count == query.limit {
                        return QueryPage(
                            documents: documents, nextCursor: lastPosition.map { cursors.encode($0, shape: compiled.shapeFingerprint) })
                    }
                    let cells = row.makeRandomAccess()
                    let rid = try cells[0].decode(Int64.self)
                    documents.append(
                        Document(
                            id: try cells[1].decode(String.self), version: try cells[3].decode(Int64.self),
                            createdAt: Timestamp(milliseconds: try cells[4].decode(Int64.self)),
                            updatedAt: Timestamp(milliseconds: try cells[5].decode(Int64.self)), body: try cells[2].decode(String.self)))
                    let sortCells = try (6..<cells.count).map { try cells[$0].decode(String?.self) }
                    let values = PostgresQueryCompiler.sortValues(sortCells, sort: query.sort)
                    lastPosition = CursorPosition(
                        sortValues: PostgresQueryCompiler.cursorValues(values), rowID: rid)
                }
                return QueryPage(documents: documents, nextCursor: nil)
            }
        }
    }

    /// PostgreSQL's plan for `query` (`EXPLAIN`), one line per row: shows whether an index serves it.
    func explainNow(_ query: Query, in collection: CollectionName, placement: Placement) async throws(StorageError) -> [String] {
        try await onCollection(collection, in: placement) { entry throws(StorageError) in
            let (shape, position) = try decodeCursor(query, entry: entry, placement: placement)
            return try await withConnection { connection in
                let compiled = try await self.resolve(
                    query, entry: entry, placement: placement, shape: shape, position: position, on: connection)
                var explain = compiled.statement
                explain.sql = "EXPLAIN " + explain.sql
                return try await self.rows(explain, on: connection).map { try $0.decode(String.self) }
            }
        }
    }

    /// What a cursor is bound to besides the query: the collection (placement, name, creation).
    private static func cursorScope(_ entry: PostgresCatalog.Entry, _ placement: Placement) -> String {
        "\(placement.tablePrefix)/\(entry.name)/\(entry.createdAt.milliseconds)"
    }

    private func decodeCursor(_ query: Query, entry: PostgresCatalog.Entry, placement: Placement) throws(StorageError) -> (
        PostgresQueryCompiler.Compiled, CursorPosition?
    ) {
        guard query.limit >= 1, query.limit <= StorageLimits.queryLimitMax else {
            throw StorageError(.invalidLimit, "limit must be an integer from 1 to \(StorageLimits.queryLimitMax)")
        }
        let shape = PostgresQueryCompiler.compile(
            query, table: entry.tableName, cursorScope: Self.cursorScope(entry, placement), after: nil)
        guard let cursor = query.cursor else { return (shape, nil) }
        return (shape, try cursors.decode(cursor, shape: shape.shapeFingerprint, sortKeyCount: query.sort.count))
    }

    /// The statement for the page after `position`, reading the sort values of a row-id-only
    /// cursor from its row.
    private func resolve(
        _ query: Query, entry: PostgresCatalog.Entry, placement: Placement, shape: PostgresQueryCompiler.Compiled,
        position: CursorPosition?, on connection: PostgresConnection
    ) async throws -> PostgresQueryCompiler.Compiled {
        guard let position else { return shape }
        var values = position.sortValues.map(PostgresQueryCompiler.sortValues(fromCursor:))
        if values == nil {
            var select = PostgresStatement()
            select.sql =
                "SELECT \(PostgresQueryCompiler.sortSelect(query.sort)) FROM \"\(entry.tableName)\" WHERE rid = \(select.bind(position.rowID))"
            guard let row = try await rows(select, on: connection).first else {
                throw StorageError(.invalidCursor, "the document this cursor points at was deleted; start the query again")
            }
            let cells = row.makeRandomAccess()
            let texts = try (0..<cells.count).map { try cells[$0].decode(String?.self) }
            values = PostgresQueryCompiler.sortValues(texts, sort: query.sort)
        }
        return PostgresQueryCompiler.compile(
            query, table: entry.tableName, cursorScope: Self.cursorScope(entry, placement),
            after: PostgresQueryCompiler.Position(sortValues: values ?? [], rowID: position.rowID))
    }
}
