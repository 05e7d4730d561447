import AerolithKernel
import AerolithPlatform
import AerolithStorage
import Dispatch
import Logging
import ServiceLifecycle

/// Keeps what this node remembers in step with the other nodes sharing its store: platform
/// caches are dropped, and plugin states made to match the records, when another node announces
/// a change (within `ClusterLimits.changeDelayMillisecondsMax`). On the embedded store there
/// are no other nodes and nothing arrives.
struct ClusterSyncService: Service {
    let platform: Platform
    let plugins: PluginRegistry
    let coordination: any ClusterCoordination
    let logger: Logger

    /// Announces every plugin change made on this node, from now on.
    static func announcePluginChanges(_ plugins: PluginRegistry, to coordination: any ClusterCoordination) {
        plugins.onChange { name in
            Task { await coordination.announce(ClusterChange(topic: PluginRegistry.changeTopic, subject: name)) }
        }
    }

    func run() async throws {
        let changes = coordination.changes()
        await cancelWhenGracefulShutdown {
            for await change in changes {
                await apply(change)
            }
        }
    }

    private func apply(_ change: ClusterChange) async {
        logger.debug("another node changed something", metadata: ["change": "\(change)"])
        switch change.topic {
        case Platform.platformChange.topic:
            await platform.dropCaches()
        case PluginRegistry.changeTopic:
            await offCooperativePool { plugins.synchronize(change.subject) }
        case ClusterChange.everything.topic:
            await platform.dropCaches()
            await offCooperativePool { plugins.synchronizeAll() }
        default:
            logger.debug("ignored an announcement of an unknown kind", metadata: ["change": "\(change)"])
        }
    }

    /// Plugin state changes block (store reads, draining calls in flight): on a thread of their own.
    private func offCooperativePool(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                body()
                continuation.resume()
            }
        }
    }
}
