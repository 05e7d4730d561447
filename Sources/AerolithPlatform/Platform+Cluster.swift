import AerolithStorage

/// Several nodes on one store: what this node remembers of platform records is dropped when
/// another node announces a change (`identityChanged` announces every change made here).
extension Platform {
    /// The announcement of any change to tenants, keys, users, sessions, roles or signing keys.
    public static let platformChange = ClusterChange(topic: "platform")

    /// Forgets every remembered tenant, key, user, session, role and token resolution, and
    /// reloads the signing keys: the next request reads the store. Lookups in flight that read
    /// the store before this are not remembered (the generation moved on).
    public func dropCaches() async {
        identityGeneration.add(1, ordering: .releasing)
        keyCache.withLock { $0.removeAll() }
        tenantCache.withLock { $0.removeAll() }
        tenantIDsBySlug.withLock { $0.removeAll() }
        roleCache.withLock { $0.removeAll() }
        userCache.withLock { $0.removeAll() }
        sessionCache.withLock { $0.removeAll() }
        principalCache.withLock { $0.removeAll() }
        do {
            try await installStoredSigningKeys()
        } catch {
            logger.warning("could not reload the signing keys", metadata: ["error": "\(error)"])
        }
    }
}
