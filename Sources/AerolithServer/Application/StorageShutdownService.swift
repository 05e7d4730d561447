import AerolithStorage
import Logging
import ServiceLifecycle

/// Flushes storage on graceful shutdown. Listed before the HTTP server among the application's
/// services, so it is shut down after the server has stopped taking requests.
struct StorageShutdownService: Service {
    let store: DocumentStore
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try await store.flush()
        } catch {
            logger.warning("could not flush collection totals; they are recounted on the next start", metadata: ["error": "\(error)"])
        }
    }
}
