import AerolithExecution

extension ServerServices {
    /// The key platform-admin work is queued under (it has no tenant).
    static let platformWorkKey = "\u{0}platform"

    /// Runs work that may take long (a query scanning a large collection, a query plan, a plugin
    /// route or call, plugin control) on the server's blocking-work pool, queued under the
    /// caller's tenant: never on the threads that run every request's async code, and fairly
    /// across tenants (see `FairWorkerPool`), so one tenant's slow work delays only that tenant.
    /// Throws `WorkRefused` (503 `overloaded`) when that tenant's queue or the pool's is full.
    func blocking<T: Sendable>(for context: AerolithRequestContext, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await blockingWork.run(key: context.principal?.tenantID ?? Self.platformWorkKey, body)
    }
}
