import Dispatch

/// Runs storage work that may take long (a query scanning a large collection, a query plan) on
/// Dispatch's pool for blocking work instead of on one of the few threads that run every
/// request's async code, so one slow scan cannot stall unrelated requests.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
