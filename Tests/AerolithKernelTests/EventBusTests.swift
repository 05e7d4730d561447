import Foundation
import Logging
import Testing

@testable import AerolithKernel

/// The event bus's bounds (count and bytes per subscription queue) and its sequences, which
/// survive a restart.
@Suite struct EventBusTests {
    static let tenant = "tn_aaaaaaaaaaaaaaaaaaaa"

    /// The fixture's all-tenant events hook, loaded and enabled.
    static func eventsHooks(_ world: HookDispatchTests.World) throws -> (PluginRegistry, [BoundHook]) {
        try world.install()
        let registry = world.registry()
        registry.scan()
        let hooks = registry.hooks(forTenant: Self.tenant).events
        try #require(hooks.count == 1)
        return (registry, hooks)
    }

    @Test func aQueueIsBoundedByBytesAsByCount() throws {
        let world = try HookDispatchTests.World()
        let (registry, hooks) = try Self.eventsHooks(world)
        defer { registry.shutdown() }
        let bus = EventBus(
            sequences: EventSequences(keyValues: nil, logger: Logger(label: "test")), queueCountMax: 100, queueBytesMax: 1_000)
        // Nothing is delivered while the queue is held, so what is queued is what was accepted.
        bus.delivery.suspend()
        let payload = Array(#"{"action":"created","pad":"\#(String(repeating: "x", count: 370))"}"#.utf8)
        #expect(payload.count > 333 && payload.count <= 500)
        for _ in 0..<5 { bus.publish(hooks, tenantID: Self.tenant, kind: .document, timeMilliseconds: 0, payload: payload) }
        // Two payloads fit in 1,000 bytes; the other three are dropped and counted.
        #expect(bus.droppedCount.load(ordering: .relaxed) == 3)
        bus.delivery.resume()
        bus.waitUntilDelivered()
        // Delivered, the queue's bytes are free again.
        bus.publish(hooks, tenantID: Self.tenant, kind: .document, timeMilliseconds: 0, payload: payload)
        bus.waitUntilDelivered()
        #expect(bus.droppedCount.load(ordering: .relaxed) == 3)

        let counted = EventBus(
            sequences: EventSequences(keyValues: nil, logger: Logger(label: "test")), queueCountMax: 2, queueBytesMax: 1_000_000)
        counted.delivery.suspend()
        for _ in 0..<5 { counted.publish(hooks, tenantID: Self.tenant, kind: .document, timeMilliseconds: 0, payload: Array("{}".utf8)) }
        #expect(counted.droppedCount.load(ordering: .relaxed) == 3)
        counted.delivery.resume()
        counted.waitUntilDelivered()
    }

    @Test func sequencesContinueAfterARestart() throws {
        let scratch = try ScratchStore()
        let logger = Logger(label: "test")
        let first = EventSequences(keyValues: scratch.store.keyValues, blockCount: 3, logger: logger)
        let block = first.reserve(registration: "audit/record", tenantID: Self.tenant, after: 0)
        #expect(block.next == 1 && block.limit == 3)
        let next = first.reserve(registration: "audit/record", tenantID: Self.tenant, after: 3)
        #expect(next.next == 4 && next.limit == 6)
        // Another tenant and another registration number their own events.
        #expect(first.reserve(registration: "audit/record", tenantID: "tn_other", after: 0).next == 1)
        #expect(first.reserve(registration: "other/record", tenantID: Self.tenant, after: 0).next == 1)
        // After a restart (a new process with the same store), numbering goes on past every
        // number reserved, even those never used: a gap, never a repeat.
        let restarted = EventSequences(keyValues: scratch.store.keyValues, blockCount: 3, logger: logger)
        #expect(restarted.reserve(registration: "audit/record", tenantID: Self.tenant, after: 0).next == 7)
    }
}
