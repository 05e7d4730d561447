import Metrics
import Synchronization

/// The single writer of one database, with group commit.
///
/// Guarantees:
/// - Writes are applied one at a time, in arrival order, on one connection.
/// - Writes that arrive while a commit is in progress are committed together in the next
///   transaction (up to `StorageLimits.groupCommitBatchJobsMax`), each inside its own savepoint,
///   so one failing write never affects another.
/// - A write's result is delivered only after its transaction has committed; if the commit
///   fails, every write in it fails.
///
/// There is no writer thread: the first caller to find the writer idle becomes the *leader* and
/// commits a batch on its own thread; callers arriving meanwhile wait without blocking a thread,
/// and when the leader is done it hands the role to the first of them. An uncontended write thus
/// costs no thread hop.
final class GroupCommitWriter: Sendable {
    private let connection: SQLiteConnection
    private let counters: CounterLedger
    private let state = Mutex(State())
    /// Writes per committed transaction: how much group commit is batching.
    private let batchJobs = Recorder(label: "aerolith_storage_group_commit_jobs")
    private let transactions = Counter(label: "aerolith_storage_transactions_total")
    private let failedWrites = Counter(label: "aerolith_storage_failed_writes_total")

    private struct State {
        var leaderActive = false
        var pending: [Job] = []
        var pendingStart = 0

        mutating func takePending(max: Int) -> [Job] {
            let end = min(pending.count, pendingStart + max)
            let taken = Array(pending[pendingStart..<end])
            pendingStart = end
            if pendingStart == pending.count {
                pending.removeAll(keepingCapacity: true)
                pendingStart = 0
            } else if pendingStart > pending.count / 2 {
                // Under sustained load the queue never drains; drop the taken prefix so finished
                // jobs (and the bodies they captured) are released.
                pending.removeFirst(pendingStart)
                pendingStart = 0
            }
            return taken
        }
    }

    private enum Role: Sendable { case lead, done }

    /// One queued write. Its fields are written only by the leader that runs it, before the
    /// continuation is resumed, which orders those writes before the waiter reads them.
    private final class Job: @unchecked Sendable {
        let work: (WriteTransaction) throws(StorageError) -> Void
        var continuation: CheckedContinuation<Role, Never>?
        var failure: StorageError?

        init(work: @escaping (WriteTransaction) throws(StorageError) -> Void) { self.work = work }
    }

    init(connection: SQLiteConnection, counters: CounterLedger) {
        self.connection = connection
        self.counters = counters
    }

    /// Runs `body` inside a write transaction and returns its result once that transaction has
    /// committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (WriteTransaction) throws(StorageError) -> T) async throws(StorageError) -> T {
        let result = ResultSlot<T>()
        let job = Job { connection throws(StorageError) in result.value = try body(connection) }
        let leadsNow = state.withLock { state in
            guard !state.leaderActive else { return false }
            state.leaderActive = true
            return true
        }
        if !leadsNow {
            let role = await withCheckedContinuation { (continuation: CheckedContinuation<Role, Never>) in
                let leads = state.withLock { state in
                    if state.leaderActive {
                        job.continuation = continuation
                        state.pending.append(job)
                        return false
                    }
                    state.leaderActive = true
                    return true
                }
                if leads { continuation.resume(returning: .lead) }
            }
            if role == .lead { lead(with: job) }
        } else {
            lead(with: job)
        }
        if let failure = job.failure { throw failure }
        guard let value = result.value else { throw StorageError(.storageFailure, "write produced no result") }
        return value
    }

    /// Runs `job` and the writes queued behind it as one transaction, then passes leadership on.
    private func lead(with job: Job) {
        let followers = state.withLock { $0.takePending(max: StorageLimits.groupCommitBatchJobsMax - 1) }
        let batch = [job] + followers
        commit(batch)
        transactions.increment()
        batchJobs.record(batch.count)
        let failures = batch.reduce(0) { $0 + ($1.failure == nil ? 0 : 1) }
        if failures > 0 { failedWrites.increment(by: failures) }
        connection.resetActiveStatements()
        if counters.flushDue() {
            do {
                try counters.flush(on: connection)
            } catch {
                // The totals stay in memory and their rows stay marked dirty: nothing is lost, and
                // the next flush (or the recount on open) writes them.
            }
        }
        for follower in followers { follower.continuation?.resume(returning: .done) }
        let next: Job? = state.withLock { state in
            let next = state.takePending(max: 1).first
            if next == nil { state.leaderActive = false }
            return next
        }
        next?.continuation?.resume(returning: .lead)
    }

    private func commit(_ jobs: [Job]) {
        let transaction = WriteTransaction(connection: connection, counters: counters)
        if !connection.isAutocommit { try? connection.execute("ROLLBACK") }
        do {
            try connection.statement("BEGIN IMMEDIATE").run()
        } catch {
            for job in jobs { job.failure = error }
            return
        }
        if jobs.count == 1 {
            do throws(StorageError) {
                try jobs[0].work(transaction)
                counters.jobSucceeded()
            } catch {
                jobs[0].failure = error
                rollback()
                return
            }
        } else {
            for job in jobs {
                // SQLite rolls a whole transaction back by itself on some errors (disk full, I/O);
                // then no later job may run, or it would commit on its own outside the batch.
                guard !connection.isAutocommit else {
                    job.failure = StorageError(.storageFailure, "the transaction was rolled back by an earlier failure")
                    continue
                }
                do throws(StorageError) {
                    try connection.statement("SAVEPOINT job").run()
                    do throws(StorageError) {
                        try job.work(transaction)
                        try connection.statement("RELEASE job").run()
                        counters.jobSucceeded()
                    } catch {
                        job.failure = error
                        counters.jobFailed()
                        connection.resetActiveStatements()
                        if !connection.isAutocommit { try connection.execute("ROLLBACK TO job; RELEASE job") }
                    }
                } catch {
                    job.failure = job.failure ?? error
                }
            }
        }
        connection.resetActiveStatements()
        guard !connection.isAutocommit else {
            counters.transactionRolledBack()
            for job in jobs where job.failure == nil {
                job.failure = StorageError(.storageFailure, "the transaction was rolled back by an earlier failure")
            }
            return
        }
        do {
            try connection.statement("COMMIT").run()
            counters.transactionCommitted()
        } catch {
            rollback()
            for job in jobs where job.failure == nil { job.failure = error }
        }
    }

    private func rollback() {
        connection.resetActiveStatements()
        if !connection.isAutocommit { try? connection.execute("ROLLBACK") }
        counters.transactionRolledBack()
    }
}

/// Carries a write's result from the leader's thread to the waiting caller; ordered by the
/// continuation resume (see `GroupCommitWriter.Job`).
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}
