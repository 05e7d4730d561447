import AerolithKernel
import AerolithStorage
import Logging
import ServiceLifecycle

/// On graceful shutdown: deactivates and unloads the plugins (their on_deactivate and
/// on_unload run), then flushes every storage target. Listed before the HTTP server among the application's
/// services, so it is shut down after the server has stopped taking requests.
struct StorageShutdownService: Service {
    let storage: StorageTargets
    let plugins: PluginRegistry
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        plugins.shutdown()
        for (name, store) in storage.all {
            do {
                try await store.flush()
            } catch {
                logger.warning(
                    "could not flush collection totals; they are recounted on the next start",
                    metadata: ["target": "\(name)", "error": "\(error)"])
            }
        }
    }
}
