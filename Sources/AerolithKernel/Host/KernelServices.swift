import AerolithStorage
import Logging

/// What the host functions given to plugins reach: storage for plugin state, the log.
final class KernelServices: Sendable {
    let keyValues: KeyValueStore
    let logger: Logger

    init(keyValues: KeyValueStore, logger: Logger) {
        self.keyValues = keyValues
        self.logger = logger
    }
}
