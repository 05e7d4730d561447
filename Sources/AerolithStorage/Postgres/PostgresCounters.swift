import PostgresNIO

/// Exact document counts and sizes of collections under any number of concurrent writers.
///
/// One counter row per collection would serialise every write to that collection on its row
/// lock until commit. Instead each write transaction inserts its change as a new row of
/// `_aerolith_counter_deltas` (inserts never wait on each other); a collection's totals are its
/// catalog row plus the sum of its deltas, read in one statement, so one snapshot. Every
/// `PostgresDocumentStore.counterFoldIntervalMilliseconds` one node at a time (advisory lock)
/// moves the deltas into the catalog rows in one statement: the deleted deltas and the updated
/// totals commit together, so a reader sees either form, never both or neither.
enum PostgresCounters {
    /// A change to one collection's totals, collected while a transaction runs.
    struct Delta: Sendable {
        var documents: Int64 = 0
        var bytes: Int64 = 0

        var isZero: Bool { documents == 0 && bytes == 0 }

        mutating func add(documents: Int64, bytes: Int64) {
            self.documents += documents
            self.bytes += bytes
        }
    }

    /// Records `delta` for `table` inside the caller's transaction.
    static func record(_ delta: Delta, table: String, on connection: PostgresConnection, logger: Logger) async throws {
        guard !delta.isZero else { return }
        var insert = PostgresStatement()
        insert.sql =
            "INSERT INTO _aerolith_counter_deltas (table_name, documents, bytes) VALUES (\(insert.bind(table)), \(insert.bind(delta.documents)), \(insert.bind(delta.bytes)))"
        try await connection.query(insert.query, logger: logger)
    }

    static let foldSQL = """
        WITH moved AS (DELETE FROM _aerolith_counter_deltas RETURNING table_name, documents, bytes),
        sums AS (SELECT table_name, sum(documents)::bigint AS documents, sum(bytes)::bigint AS bytes FROM moved GROUP BY table_name)
        UPDATE _aerolith_collections c SET document_count = c.document_count + sums.documents, size_bytes = c.size_bytes + sums.bytes
        FROM sums WHERE c.table_name = sums.table_name
        """

    /// Moves every delta into its collection's row, unless another node is doing so right now.
    static func fold(primary: PostgresPrimary, logger: Logger) async throws {
        try await primary.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let locked = try await connection.query(
                    "SELECT pg_try_advisory_xact_lock(\(PostgresSchema.counterFoldLockKey))", logger: logger
                ).collect()
                if try locked.first?.decode(Bool.self) == true {
                    try await connection.query(PostgresQuery(unsafeSQL: foldSQL), logger: logger)
                }
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
