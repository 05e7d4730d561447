import CSQLite

/// A value SQLite stores or returns, without any affinity applied.
enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// A prepared statement owned by the statement cache of one `SQLiteConnection`; it shares that
/// connection's confinement.
final class SQLiteStatement {
    private let pointer: OpaquePointer
    private unowned let connection: SQLiteConnection
    private var finalized = false
    /// Stepped to a row and not yet reset or done: the statement holds its connection's read
    /// snapshot open until it is reset.
    private(set) var isActive = false

    init(_ pointer: OpaquePointer, connection: SQLiteConnection) {
        self.pointer = pointer
        self.connection = connection
    }

    /// The statement's SQLite handle, for the query meter (confined like the statement).
    var handle: OpaquePointer { pointer }

    func finalize() {
        guard !finalized else { return }
        finalized = true
        isActive = false
        sqlite3_finalize(pointer)
    }

    func reset() {
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
        isActive = false
    }

    // MARK: Binding (1-based indexes, as in SQLite)

    func bind(_ value: SQLiteValue, at index: Int32) {
        switch value {
        case .null: sqlite3_bind_null(pointer, index)
        case .integer(let integer): sqlite3_bind_int64(pointer, index, integer)
        case .real(let real): sqlite3_bind_double(pointer, index, real)
        case .text(let text): bind(text, at: index)
        }
    }

    func bind(_ text: String, at index: Int32) {
        var text = text
        text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                _ = sqlite3_bind_text(pointer, index, characters.baseAddress, Int32(characters.count), aerolith_sqlite_transient())
            }
        }
    }

    func bind(_ integer: Int64, at index: Int32) {
        sqlite3_bind_int64(pointer, index, integer)
    }

    /// Binds bytes as a BLOB (SQLite copies them).
    func bind(blob bytes: [UInt8], at index: Int32) {
        bytes.withUnsafeBytes { raw in
            // A zero-length BLOB still needs a non-NULL pointer, or SQLite binds NULL.
            _ = sqlite3_bind_blob(
                pointer, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), aerolith_sqlite_transient())
        }
    }

    func bind(_ values: [SQLiteValue]) {
        for (offset, value) in values.enumerated() { bind(value, at: Int32(offset + 1)) }
    }

    // MARK: Stepping

    /// Advances to the next row; `false` when the statement is done.
    func step() throws(StorageError) -> Bool {
        let status = sqlite3_step(pointer)
        switch status {
        case SQLITE_ROW:
            if !isActive {
                isActive = true
                connection.didActivate(self)
            }
            return true
        case SQLITE_DONE:
            isActive = false
            return false
        default:
            isActive = false
            let message = connection.lastErrorMessage
            sqlite3_reset(pointer)
            if status == SQLITE_INTERRUPT, let exhausted = connection.meter.error() { throw exhausted }
            throw SQLiteConnection.error(status: status, message: message)
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws(StorageError) {
        while try step() {}
    }

    // MARK: Columns (0-based indexes, as in SQLite)

    func int64(at column: Int32) -> Int64 { sqlite3_column_int64(pointer, column) }

    func string(at column: Int32) -> String {
        guard let text = sqlite3_column_text(pointer, column) else { return "" }
        let count = Int(sqlite3_column_bytes(pointer, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func bytes(at column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(pointer, column))
        guard count > 0, let blob = sqlite3_column_blob(pointer, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }

    func isNull(at column: Int32) -> Bool { sqlite3_column_type(pointer, column) == SQLITE_NULL }

    func value(at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(pointer, column) {
        case SQLITE_INTEGER: .integer(int64(at: column))
        case SQLITE_FLOAT: .real(sqlite3_column_double(pointer, column))
        case SQLITE_NULL: .null
        default: .text(string(at: column))
        }
    }
}
