import AerolithExecution
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite struct FairWorkerPoolTests {
    /// Waits (bounded) until `condition` holds; the pool's work happens on its own threads.
    static func eventually(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<2_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw PoolTestFailure("timed out waiting until \(what)")
    }

    /// A job that blocks its thread until the gate opens (and says when it started).
    static func blocked(_ pool: FairWorkerPool, key: String, gate: DispatchSemaphore) -> Task<Void, any Error> {
        Task { try await pool.run(key: key) { gate.wait() } }
    }

    @Test func anotherKeysJobRunsWhileOneKeyIsBacklogged() async throws {
        let pool = FairWorkerPool(
            name: "test", limits: .init(threadCount: 2, runningPerKeyMax: 1, queuedPerKeyMax: 100, queuedTotalMax: 100))
        let gate = DispatchSemaphore(value: 0)
        let backlog = (0..<20).map { _ in Self.blocked(pool, key: "noisy", gate: gate) }
        try await Self.eventually("the noisy key's jobs are queued") { pool.load == (queued: 19, running: 1) }
        // One thread is free, and the noisy key may not take it: the quiet key's job runs now.
        let quiet = try await pool.run(key: "quiet") { 42 }
        #expect(quiet == 42)
        #expect(pool.load == (queued: 19, running: 1))
        for _ in backlog { gate.signal() }
        for job in backlog { try await job.value }
        #expect(pool.load == (queued: 0, running: 0))
    }

    @Test func keysAreServedInTurn() async throws {
        let pool = FairWorkerPool(name: "test", limits: .init(threadCount: 1, runningPerKeyMax: 1, queuedPerKeyMax: 10, queuedTotalMax: 10))
        let gate = DispatchSemaphore(value: 0)
        let first = Self.blocked(pool, key: "z", gate: gate)
        try await Self.eventually("the first job runs") { pool.load.running == 1 }
        let order = Recorder()
        var jobs: [Task<Void, any Error>] = []
        for name in ["a1", "a2", "a3", "b1", "b2"] {
            let queuedBefore = pool.load.queued
            jobs.append(Task { try await pool.run(key: String(name.prefix(1))) { order.names.withLock { $0.append(name) } } })
            try await Self.eventually("\(name) is queued") { pool.load.queued == queuedBefore + 1 }
        }
        gate.signal()
        try await first.value
        for job in jobs { try await job.value }
        #expect(order.names.withLock { $0 } == ["a1", "b1", "a2", "b2", "a3"])
    }

    @Test func refusesPastTheKeysAndThePoolsQueueBounds() async throws {
        let pool = FairWorkerPool(
            name: "test",
            limits: .init(
                threadCount: 1, runningPerKeyMax: 1, queuedPerKeyMax: 2, queuedTotalMax: 3,
                retryAfterSeconds: 7))
        let gate = DispatchSemaphore(value: 0)
        let running = Self.blocked(pool, key: "a", gate: gate)
        try await Self.eventually("the first job runs") { pool.load.running == 1 }
        let queued = [Self.blocked(pool, key: "a", gate: gate), Self.blocked(pool, key: "a", gate: gate)]
        try await Self.eventually("two are queued") { pool.load.queued == 2 }
        await #expect(throws: WorkRefused.self) { try await pool.run(key: "a") {} }
        do {
            try await pool.run(key: "a") {}
            Issue.record("a third queued job of one key was accepted")
        } catch let refused as WorkRefused {
            #expect(refused.reason == .keyQueueFull)
            #expect(refused.retryAfterSeconds == 7)
        }
        let other = Self.blocked(pool, key: "b", gate: gate)
        try await Self.eventually("three are queued") { pool.load.queued == 3 }
        do {
            try await pool.run(key: "c") {}
            Issue.record("a job past the pool's bound was accepted")
        } catch let refused as WorkRefused {
            #expect(refused.reason == .poolQueueFull)
        }
        for _ in 0..<4 { gate.signal() }
        for job in [running, other] + queued { try await job.value }
    }

    @Test func errorsReachTheCaller() async throws {
        struct Expected: Error {}
        let pool = FairWorkerPool(name: "test", limits: .init(threadCount: 1, runningPerKeyMax: 1, queuedPerKeyMax: 1, queuedTotalMax: 1))
        await #expect(throws: Expected.self) { try await pool.run(key: "a") { throw Expected() } }
        #expect(try await pool.run(key: "a") { "still serving" } == "still serving")
    }
}

final class Recorder: Sendable {
    let names = Mutex<[String]>([])
}

struct PoolTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
