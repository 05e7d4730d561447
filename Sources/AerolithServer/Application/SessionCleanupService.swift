import AerolithPlatform
import Logging
import ServiceLifecycle

/// Purges ended and expired sessions every `cleanupIntervalSeconds`, until shutdown.
struct SessionCleanupService: Service {
    let platform: Platform
    let logger: Logger

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
                let purged = try await platform.purgeSessions()
                if purged > 0 { logger.info("purged expired sessions", metadata: ["count": "\(purged)"]) }
            } catch {
                logger.warning("could not purge expired sessions", metadata: ["error": "\(error)"])
            }
        }
    }
}
