import Dispatch
import Synchronization

/// A bounded pool of read-only connections to one database in WAL mode.
///
/// Guarantees: each read runs on a connection no other caller holds; a read sees a consistent
/// snapshot of committed data (one statement, or one explicit read transaction); readers never
/// wait for the writer (WAL). At most `StorageLimits.readerConnectionsMax` connections exist;
/// a caller that finds all in use waits for one briefly.
final class ReaderPool: Sendable {
    private let path: String
    private let synchronous: SQLiteConnection.Synchronous
    private let idle = Mutex<[SQLiteConnection]>([])
    private let available = DispatchSemaphore(value: StorageLimits.readerConnectionsMax)

    init(path: String, synchronous: SQLiteConnection.Synchronous) {
        self.path = path
        self.synchronous = synchronous
    }

    func read<T>(_ body: (SQLiteConnection) throws(StorageError) -> T) throws(StorageError) -> T {
        available.wait()
        defer { available.signal() }
        let connection: SQLiteConnection
        if let reused = idle.withLock({ $0.popLast() }) {
            connection = reused
        } else {
            connection = try SQLiteConnection(path: path, mode: .readOnly, synchronous: synchronous)
        }
        defer {
            connection.resetActiveStatements()
            idle.withLock { $0.append(connection) }
        }
        return try body(connection)
    }
}
