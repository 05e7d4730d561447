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
    private let state = Mutex(State())

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
            }
            return taken
        }
    }

    private enum Role: Sendable { case lead, done }

    /// One queued write. Its fields are written only by the leader that runs it, before the
    /// continuation is resumed, which orders those writes before the waiter reads them.
    private final class Job: @unchecked Sendable {
        let work: (SQLiteConnection) throws(StorageError) -> Void
        var continuation: CheckedContinuation<Role, Never>?
        var failure: StorageError?

        init(work: @escaping (SQLiteConnection) throws(StorageError) -> Void) { self.work = work }
    }

    init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Runs `body` inside a write transaction and returns its result once that transaction has
    /// committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws(StorageError) -> T) async throws(StorageError) -> T {
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
        commit([job] + followers)
        for follower in followers { follower.continuation?.resume(returning: .done) }
        let next: Job? = state.withLock { state in
            let next = state.takePending(max: 1).first
            if next == nil { state.leaderActive = false }
            return next
        }
        next?.continuation?.resume(returning: .lead)
    }

    private func commit(_ jobs: [Job]) {
        do throws(StorageError) {
            try connection.statement("BEGIN IMMEDIATE").run()
        } catch {
            for job in jobs { job.failure = error }
            return
        }
        if jobs.count == 1 {
            do throws(StorageError) {
                try jobs[0].work(connection)
            } catch {
                jobs[0].failure = error
                try? connection.execute("ROLLBACK")
                return
            }
        } else {
            for job in jobs {
                do throws(StorageError) {
                    try connection.statement("SAVEPOINT job").run()
                    do throws(StorageError) {
                        try job.work(connection)
                        try connection.statement("RELEASE job").run()
                    } catch {
                        job.failure = error
                        try connection.execute("ROLLBACK TO job; RELEASE job")
                    }
                } catch {
                    job.failure = job.failure ?? error
                }
            }
        }
        do throws(StorageError) {
            try connection.statement("COMMIT").run()
        } catch {
            try? connection.execute("ROLLBACK")
            for job in jobs where job.failure == nil { job.failure = error }
        }
    }
}

/// Carries a write's result from the leader's thread to the waiting caller; ordered by the
/// continuation resume (see `GroupCommitWriter.Job`).
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}
