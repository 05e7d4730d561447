import AerolithStorage
import Logging

/// What the host functions given to plugins reach: storage for plugin state, the log.
final class KernelServices: Sendable {
    let keyValues: any KeyValueStore
    let logger: Logger

    init(keyValues: any KeyValueStore, logger: Logger) {
        self.keyValues = keyValues
        self.logger = logger
    }
}
