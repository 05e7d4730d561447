import AerolithExecution

/// Runs a query's blocking work on the fair worker pool, keyed by placement: each tenant's
/// queries are bounded, queued and shed (`overloaded`, with a Retry-After) the same way on
/// every engine, and never hold a thread that serves requests.
enum QueryWork {
    /// `body` on a thread of `pool`; on the caller's thread when there is no pool.
    static func run<T: Sendable>(
        on pool: FairWorkerPool?, placement: Placement, _ body: @escaping @Sendable () throws(StorageError) -> T
    ) async throws(StorageError) -> T {
        guard let pool else { return try body() }
        do {
            return try await pool.run(key: placement.description) { () throws(StorageError) in try body() }
        } catch let error as StorageError {
            throw error
        } catch let refused as WorkRefused {
            throw StorageError(.overloaded, refused.description, retryAfterSeconds: refused.retryAfterSeconds)
        } catch {
            throw StorageError(.storageFailure, "\(error)")
        }
    }
}
