import Foundation
import Synchronization

/// Runs async storage work and blocks the calling thread until it finishes: for callers that
/// must be synchronous (the key-value store, whose callers are C callbacks and the kernel's
/// synchronous registry) or that hold a thread of the fair worker pool for the work's whole
/// length (queries, so their per-tenant bounds apply).
///
/// The work runs on `BlockingWaitExecutor`, never on Swift's cooperative pool: a caller may
/// itself be on a cooperative thread, and with every such thread blocked here, work that needed
/// one would never run. Never call it on a NIO event loop: the work needs the loops.
enum BlockingWait {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws(StorageError) -> T) throws(StorageError) -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: BlockingWaitExecutor.shared) {
            let result: Result<T, StorageError>
            do throws(StorageError) {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            outcome.result.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = outcome.result.withLock({ $0 }) else { throw StorageError(.storageFailure, "no answer from PostgreSQL") }
        return try result.get()
    }
}

/// Where blocked callers' work runs: a concurrent dispatch queue, whose threads are not Swift's
/// cooperative ones. Jobs are short (they suspend on the server's answers), so few threads are busy.
final class BlockingWaitExecutor: TaskExecutor {
    static let shared = BlockingWaitExecutor()
    private let queue = DispatchQueue(label: "aerolith.storage.blocking-wait", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// The answer a blocked caller waits for, set once by the task that ran the work.
private final class Outcome<T: Sendable>: Sendable {
    let result = Mutex<Result<T, StorageError>?>(nil)
}
