/// What a write job works with inside the group-commit transaction: the writer connection and
/// the ledger that keeps collection counters in step with the data.
struct WriteTransaction {
    let connection: SQLiteConnection
    let counters: CounterLedger

    func statement(_ sql: String) throws(StorageError) -> SQLiteStatement { try connection.statement(sql) }
    func execute(_ sql: String) throws(StorageError) { try connection.execute(sql) }
    var changes: Int { connection.changes }
}
