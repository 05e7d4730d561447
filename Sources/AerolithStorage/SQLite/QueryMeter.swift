import CSQLite
import Foundation

/// Watches the query a connection runs against its `QueryBudget`, from SQLite's progress
/// handler (called every `StorageLimits.progressCheckInstructions` virtual-machine
/// instructions), and makes SQLite stop it (`SQLITE_INTERRUPT`) once the budget is spent.
///
/// Confined to its connection's thread, like the connection: the handler runs inside `step`.
final class QueryMeter {
    private var budget: QueryBudget?
    private var deadlineNanoseconds: UInt64 = 0
    private var statement: OpaquePointer?
    /// Why the running statement was stopped, if it was.
    private(set) var exhausted: QueryBudget.Exhausted?

    /// Installs the meter on `handle`; it stays idle until `begin`.
    func install(on handle: OpaquePointer) {
        sqlite3_progress_handler(
            handle, StorageLimits.progressCheckInstructions,
            { context in
                guard let context else { return 0 }
                return Unmanaged<QueryMeter>.fromOpaque(context).takeUnretainedValue().check()
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    func begin(_ budget: QueryBudget, statement: OpaquePointer) {
        self.budget = budget
        self.statement = statement
        exhausted = nil
        deadlineNanoseconds = Self.now() + UInt64(budget.timeLimitMilliseconds) * 1_000_000
        for counter in Self.rowCounters { _ = sqlite3_stmt_status(statement, counter, 1) }
    }

    func end() {
        budget = nil
        statement = nil
    }

    /// The error for a statement SQLite interrupted, if this meter stopped it.
    func error() -> StorageError? {
        guard let exhausted, let budget else { return nil }
        return StorageError(.queryTimeout, budget.message(exhausted))
    }

    private func check() -> Int32 {
        guard let budget, let statement else { return 0 }
        if Self.now() >= deadlineNanoseconds {
            exhausted = .time
            return 1
        }
        let examined = Self.rowCounters.reduce(0) { $0 + Int(sqlite3_stmt_status(statement, $1, 0)) }
        if examined > budget.rowsExaminedMax {
            exhausted = .rowsExamined
            return 1
        }
        return 0
    }

    /// Rows stepped through in full scans, and rows put into automatic indexes.
    private static let rowCounters: [Int32] = [SQLITE_STMTSTATUS_FULLSCAN_STEP, SQLITE_STMTSTATUS_AUTOINDEX]

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
