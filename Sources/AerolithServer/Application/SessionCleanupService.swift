import AerolithPlatform
import Logging
import Metrics
import ServiceLifecycle

/// Purges ended and expired sessions every `cleanupIntervalSeconds`, until shutdown: on one
/// node of those sharing the store at a time, the holder of the `session-purge` lease. The lease
/// lasts `leaseIntervalCount` intervals, so when its holder dies another node takes over within
/// that many intervals.
struct SessionCleanupService: Service {
    let platform: Platform
    let logger: Logger

    static let leaseName = "session-purge"
    static let leaseIntervalCount = 3
    /// 1 while this node holds the purge lease, 0 otherwise.
    static let leaseHeld = Gauge(label: "aerolith_cluster_lease_held", dimensions: [("lease", leaseName)])

    func run() async throws {
        let interval = Duration.seconds(platform.identity.cleanupIntervalSeconds)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // Graceful shutdown cancels the wait, so stopping the server never waits out an interval.
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let leaseMilliseconds = platform.identity.cleanupIntervalSeconds * 1_000 * Self.leaseIntervalCount
                let held = try await platform.store.coordination.holdLease(Self.leaseName, durationMilliseconds: leaseMilliseconds)
                Self.leaseHeld.record(held ? 1 : 0)
                guard held else { continue }
                let purged = try await platform.purgeSessions()
                if purged > 0 { logger.info("purged expired sessions", metadata: ["count": "\(purged)"]) }
            } catch {
                logger.warning("could not purge expired sessions", metadata: ["error": "\(error)"])
            }
        }
    }
}
