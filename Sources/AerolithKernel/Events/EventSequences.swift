import AerolithStorage
import Logging
import Synchronization

/// Event sequences that survive restarts: each (events registration, tenant) numbers its events
/// 1, 2, 3… for the life of the deployment, not of the process, so a consumer that keys records
/// by sequence (the audit trail) never sees a number again.
///
/// Numbers are reserved in the key-value store in blocks of
/// `PluginLimits.eventSequenceBlockCount`: the stored value is the highest number handed out or
/// about to be, so one write serves a block of events, and after a crash the unused rest of a
/// block is a gap, never a repeat. Every reservation reads and writes under one lock, so two
/// versions of a plugin in one process (the old draining, the new taking over) never overlap.
final class EventSequences: Sendable {
    static let namespace = "kernel/event-sequences"

    private let keyValues: (any KeyValueStore)?
    private let blockCount: UInt64
    private let reserving = Mutex(())
    private let logger: Logger

    /// `keyValues` nil: sequences live in memory only (they restart at 1 with the process).
    init(keyValues: (any KeyValueStore)?, blockCount: UInt64 = PluginLimits.eventSequenceBlockCount, logger: Logger) {
        self.keyValues = keyValues
        self.blockCount = blockCount
        self.logger = logger
    }

    /// A run of numbers not handed out before: `next` is the first, `limit` the last.
    struct Block: Sendable {
        var next: UInt64
        var limit: UInt64
    }

    /// Reserves the block after everything reserved for `registration` ("plugin/hook") and
    /// `tenantID`, and after `current` (what this process already used). If the store fails, the
    /// block continues in memory and the failure is logged.
    func reserve(registration: String, tenantID: String, after current: UInt64) -> Block {
        guard let keyValues else { return Block(next: current + 1, limit: current + blockCount) }
        let key = Array("\(registration)/\(tenantID)".utf8)
        return reserving.withLock { _ in
            do throws(StorageError) {
                let stored =
                    try keyValues.value(namespace: Self.namespace, key: key).flatMap { UInt64(String(decoding: $0, as: UTF8.self)) } ?? 0
                let start = max(stored, current) + 1
                let limit = start + blockCount - 1
                try keyValues.put(namespace: Self.namespace, key: key, value: Array(String(limit).utf8))
                return Block(next: start, limit: limit)
            } catch {
                logger.error(
                    "event sequences could not be reserved; they continue in memory",
                    metadata: [
                        "registration": "\(registration)", "tenant": "\(tenantID)", "error": "\(error)",
                    ])
                return Block(next: current + 1, limit: current + blockCount)
            }
        }
    }
}
