import CAerolithPlugin
import Dispatch
import Metrics
import Synchronization

/// Delivers published events to events hooks, asynchronously, in batches.
///
/// Guarantees (the header's): each subscription has a queue bounded by count
/// (`PluginLimits.eventQueueCountMax`) and by payload bytes (`PluginLimits.eventQueueBytesMax`);
/// an event past either bound is dropped and counted, and the subscription's `sequence` still
/// advances, so the plugin sees the gap. Sequences survive restarts (`EventSequences`). A batch
/// holds events of one tenant in publication order. One delivery queue serves every
/// subscription, so batches of one registration never run concurrently.
final class EventBus: Sendable {
    private struct Pending: Sendable {
        let hook: BoundHook
        let tenantID: String
        let kind: UInt64
        let sequence: UInt64
        let timeMilliseconds: Int64
        let payload: [UInt8]
    }

    private final class Subscription: Sendable {
        struct State {
            var pending: [Pending] = []
            var pendingBytes = 0
            var sequences: [String: EventSequences.Block] = [:]
        }
        let state = Mutex(State())
    }

    private let subscriptions = Mutex<[String: Subscription]>([:])
    private let scheduled = Atomic<Bool>(false)
    let delivery = DispatchQueue(label: "aerolith.plugin-events")
    let queueCountMax: Int
    let queueBytesMax: Int
    let sequences: EventSequences
    /// Events dropped by this bus since it was made (the metric counts them process-wide).
    let droppedCount = Atomic(0)
    /// The last failure of each events hook ("plugin/hook"), for diagnostics and the checker.
    let lastFailures = Mutex<[String: HookFailure]>([:])
    private let dropped = Counter(label: "aerolith_plugins_events_dropped_total")
    private let delivered = Counter(label: "aerolith_plugins_events_delivered_total")

    init(
        sequences: EventSequences, queueCountMax: Int = PluginLimits.eventQueueCountMax,
        queueBytesMax: Int = PluginLimits.eventQueueBytesMax
    ) {
        self.sequences = sequences
        self.queueCountMax = queueCountMax
        self.queueBytesMax = queueBytesMax
    }

    /// Queues one event for every events hook of the tenant subscribed to its kind.
    func publish(_ hooks: [BoundHook], tenantID: String, kind: EventKind, timeMilliseconds: Int64, payload: [UInt8]) {
        var queued = false
        for hook in hooks {
            guard let subscription = hook.instance.subscriptions.withLock({ $0[hook.name] }), subscription.mask & kind.rawValue != 0 else {
                continue
            }
            let key = "\(hook.instance.loadOrder)/\(hook.qualifiedName)"
            let queue = subscriptions.withLock { all in
                if let queue = all[key] { return queue }
                let queue = Subscription()
                all[key] = queue
                return queue
            }
            let accepted = queue.state.withLock { state -> Bool in
                var block = state.sequences[tenantID] ?? EventSequences.Block(next: 1, limit: 0)
                if block.next > block.limit {
                    block = sequences.reserve(registration: hook.qualifiedName, tenantID: tenantID, after: block.next - 1)
                }
                let sequence = block.next
                block.next += 1
                state.sequences[tenantID] = block
                guard state.pending.count < queueCountMax, payload.count <= queueBytesMax - state.pendingBytes else { return false }
                state.pending.append(
                    Pending(
                        hook: hook, tenantID: tenantID, kind: kind.rawValue, sequence: sequence,
                        timeMilliseconds: timeMilliseconds, payload: payload))
                state.pendingBytes += payload.count
                return true
            }
            if accepted {
                queued = true
            } else {
                dropped.increment()
                droppedCount.add(1, ordering: .relaxed)
            }
        }
        if queued, scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            delivery.async { self.deliver() }
        }
    }

    /// Waits until everything published so far has been delivered (tests and the checker).
    func waitUntilDelivered() {
        delivery.sync {}
    }

    private func deliver() {
        scheduled.store(false, ordering: .sequentiallyConsistent)
        for queue in subscriptions.withLock({ Array($0.values) }) {
            let taken = queue.state.withLock { state -> [Pending] in
                defer {
                    state.pending.removeAll(keepingCapacity: true)
                    state.pendingBytes = 0
                }
                return state.pending
            }
            var start = 0
            while start < taken.count {
                // One batch: consecutive events of one tenant, at most the batch limit.
                var end = start + 1
                while end < taken.count, end - start < PluginLimits.eventBatchCountMax, taken[end].tenantID == taken[start].tenantID {
                    end += 1
                }
                send(taken[start..<end])
                start = end
            }
        }
    }

    private func send(_ batch: ArraySlice<Pending>) {
        guard let first = batch.first else { return }
        let hook = first.hook
        // All payloads in one arena, so every slice points into memory pinned for the call.
        var arena: [UInt8] = []
        arena.reserveCapacity(batch.reduce(0) { $0 + $1.payload.count })
        var offsets: [Int] = []
        for pending in batch {
            offsets.append(arena.count)
            arena.append(contentsOf: pending.payload)
        }
        let outcome = arena.withUnsafeBytes { bytes in
            var events: [aerolith_event] = []
            events.reserveCapacity(batch.count)
            for (pending, offset) in zip(batch, offsets) {
                let payload = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + pending.payload.count])
                events.append(
                    aerolith_event(
                        kind: pending.kind, payload_version: EventKind.payloadVersionCurrent, reserved: 0,
                        sequence: pending.sequence, time_ms: pending.timeMilliseconds, payload: SliceText.slice(payload)))
            }
            return events.withUnsafeBufferPointer { buffer in
                SliceText.with(first.tenantID) { tenant in
                    hook.invoke(tenantID: tenant, requestID: aerolith_slice()) { userData, call in
                        unsafeBitCast(hook.function, to: aerolith_events_fn.self)(userData, call, buffer.baseAddress, buffer.count)
                    }
                }
            }
        }
        delivered.increment(by: batch.count)
        if let outcome, !outcome.isOK {
            lastFailures.withLock { $0[hook.qualifiedName] = HookFailure(hook, outcome) }
            pluginLogger.warning(
                "an events hook failed",
                metadata: [
                    "plugin": "\(hook.instance.name)", "hook": "\(hook.name)", "status": "\(outcome.status)",
                    "detail": "\(outcome.message)",
                ])
        }
    }
}
