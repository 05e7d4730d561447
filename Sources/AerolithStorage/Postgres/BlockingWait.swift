import Foundation
import Synchronization

/// Runs async storage work and blocks the calling thread until it finishes: for callers that
/// must be synchronous (the key-value store's C callbacks) or that hold a thread of the fair
/// worker pool for the work's whole length (queries, so their per-tenant bounds apply).
///
/// Never call it on a NIO event loop or a Swift concurrency thread: the work needs both.
enum BlockingWait {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws(StorageError) -> T) throws(StorageError) -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
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

/// The answer a blocked caller waits for, set once by the task that ran the work.
private final class Outcome<T: Sendable>: Sendable {
    let result = Mutex<Result<T, StorageError>?>(nil)
}
