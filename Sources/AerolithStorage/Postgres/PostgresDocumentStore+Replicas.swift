import PostgresNIO

/// Document reads on streaming replicas (see `PostgresReplicas`): opt-in with `replicas=` in the URL.
extension PostgresDocumentStore {
    /// Where each replica stands, as this node sees it; empty without replicas.
    public func replicaStatuses() -> [PostgresReplicaStatus] {
        replicas?.statuses() ?? []
    }

    /// Runs a read of `placement`'s documents on a replica that may serve it, else on the primary.
    /// A read a replica cannot answer (unreachable, not yet holding the collection or the cursor's
    /// document, any server failure) runs again on the primary, and the replica is set aside
    /// until its next sample; a client's own error (a query over budget, a bad cursor) does not.
    func withReadConnection<T: Sendable>(_ placement: Placement, _ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(StorageError) -> T
    {
        guard placement.readsFromReplicas, let replicas, let replica = replicas.replica(for: placement.tablePrefix) else {
            return try await withConnection(body)
        }
        do {
            let result = try await PostgresLease.withConnection(
                replica.client, waitMilliseconds: PostgresReplicas.readWaitMilliseconds, body)
            replica.servedRead()
            return result
        } catch {
            let failure = PostgresErrors.map(error, target: "\(replica.server)/\(target.database)", budget: queryBudget)
            guard Self.replicaMayNotKnow.contains(failure.code) else { throw failure }
            replicas.setAside(replica, because: failure)
            return try await withConnection(body)
        }
    }

    /// Failures of a replica read that the primary may not share.
    private static let replicaMayNotKnow: Set<StorageError.Code> = [
        .storageUnavailable, .storageFailure, .collectionNotFound, .invalidCursor,
    ]

    /// Remembers a write to `placement`, so this node reads it back from the primary until a replica has it.
    func wrote(_ placement: Placement) {
        replicas?.wrote(placement.tablePrefix)
    }
}
