import Foundation

/// Threads of its own that run blocking work (a query scanning a collection, a password hash,
/// a plugin call) fairly across the keys it is submitted under, usually tenants.
///
/// ```swift
/// let pool = FairWorkerPool(name: "queries", limits: .init(threadCount: 4, runningPerKeyMax: 2,
///                                                          queuedPerKeyMax: 64, queuedTotalMax: 1_024))
/// let page = try await pool.run(key: tenantID) { try store.query(query, in: collection, placement: placement) }
/// ```
///
/// Guarantees:
/// - **Nothing else waits behind this pool's work**: its jobs run on its own threads, never on
///   Dispatch's shared pool or the threads that serve requests.
/// - **Heavy keys yield the cores**: a key that has kept the pool busy for more than
///   `heavyBusyMillisecondsMax` of the last second or so (`RecentWork`) is heavy. With two or
///   more threads, half of them (rounded up) are light: they run at the request threads' CPU
///   priority and serve only light keys, one job per key at a time. The others run at a lower
///   priority (`Limits.niceIncrement`) and serve heavy keys first, then light ones. So a tenant
///   running expensive queries back to back runs them at low priority, and everyone else's short
///   queries (and the request threads) get the cores first. A single thread serves every key.
/// - **A key's backlog delays only that key**: each key has its own FIFO queue; idle threads take
///   the next job from the keys in round-robin order, skipping a key that already runs
///   `runningPerKeyMax` jobs. So another key's job starts as soon as any thread is free.
/// - **Bounded**: a key may queue at most `queuedPerKeyMax` jobs and the pool `queuedTotalMax`;
///   past either, `run` throws `WorkRefused` at once (shed, never queued without end).
public final class FairWorkerPool: @unchecked Sendable {
    // @unchecked: every mutable field below is read and written only while holding `condition`
    // (an NSCondition, i.e. a pthread mutex with its condition variable).

    public struct Limits: Sendable, Equatable {
        /// Threads that run jobs.
        public var threadCount: Int
        /// Most jobs of one key running at once.
        public var runningPerKeyMax: Int
        /// Most jobs of one key waiting to run.
        public var queuedPerKeyMax: Int
        /// Most jobs waiting to run across all keys.
        public var queuedTotalMax: Int
        /// Added to the threads' nice value (Linux: per thread). 0 keeps the process's priority.
        public var niceIncrement: Int32
        /// The `Retry-After` a refused job is answered with, in seconds.
        public var retryAfterSeconds: Int

        public init(
            threadCount: Int, runningPerKeyMax: Int, queuedPerKeyMax: Int, queuedTotalMax: Int,
            niceIncrement: Int32 = FairWorkerPool.niceIncrementDefault, retryAfterSeconds: Int = 1
        ) {
            precondition(threadCount >= 1 && runningPerKeyMax >= 1 && queuedPerKeyMax >= 0 && queuedTotalMax >= 0)
            self.threadCount = threadCount
            self.runningPerKeyMax = runningPerKeyMax
            self.queuedPerKeyMax = queuedPerKeyMax
            self.queuedTotalMax = queuedTotalMax
            self.niceIncrement = niceIncrement
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// Threads serving heavy keys are this much "nicer" than the request threads by default: at
    /// nice 19 the Linux scheduler gives a nice-0 thread about seventy times their share of a core.
    public static let niceIncrementDefault: Int32 = 19
    /// Milliseconds of work a key may have done recently (see `RecentWork`) and still be light.
    public static let heavyBusyMillisecondsMax = 250.0
    /// Jobs of one light key running on light threads at once.
    static let lightRunningPerKeyMax = 1

    public let name: String
    public let limits: Limits

    private let condition = NSCondition()
    private var queues: [String: KeyQueue] = [:]
    /// Keys with jobs waiting, in the order they are next served.
    private var ring: [String] = []
    private var queuedTotal = 0
    private var runningTotal = 0
    private var recent = RecentWork()

    private struct KeyQueue {
        var jobs: [Job] = []
        var head = 0
        var running = 0
        var runningLight = 0
        var waiting: Int { jobs.count - head }
    }

    /// Which keys a thread serves, and at what priority.
    private enum Lane { case light, heavy, any }

    private typealias Job = @Sendable () -> Void

    public init(name: String, limits: Limits) {
        self.name = name
        self.limits = limits
        let lightCount = limits.threadCount == 1 ? 0 : (limits.threadCount + 1) / 2
        for index in 0..<limits.threadCount {
            let lane: Lane = limits.threadCount == 1 ? .any : index < lightCount ? .light : .heavy
            let thread = Thread { [self] in self.work(lane) }
            thread.name = "aerolith.\(name).\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the pool's threads, queued under `key`. Throws `WorkRefused` without
    /// running it when the key's or the pool's queue is full.
    public func run<T: Sendable>(key: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job: Job = { continuation.resume(with: Result { try body() }) }
            if let refusal = submit(key: key, job) { continuation.resume(throwing: refusal) }
        }
    }

    /// Jobs waiting and running now (for metrics and tests).
    public var load: (queued: Int, running: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (queuedTotal, runningTotal)
    }

    private func submit(key: String, _ job: @escaping Job) -> WorkRefused? {
        condition.lock()
        defer { condition.unlock() }
        var queue = queues[key] ?? KeyQueue()
        guard queue.waiting < limits.queuedPerKeyMax, queuedTotal < limits.queuedTotalMax else {
            return WorkRefused(
                pool: name, retryAfterSeconds: limits.retryAfterSeconds,
                reason: queue.waiting >= limits.queuedPerKeyMax ? .keyQueueFull : .poolQueueFull)
        }
        if queue.waiting == 0 { ring.append(key) }
        queue.jobs.append(job)
        queues[key] = queue
        queuedTotal += 1
        // Every waiting thread looks: only some may take this key's job.
        condition.broadcast()
        return nil
    }

    /// The next job a thread of `lane` may run, in round-robin order over keys under their
    /// running cap: light threads take only light keys; heavy threads take heavy keys first.
    private func takeNext(_ lane: Lane, now: Double) -> (String, Job, onLightThread: Bool)? {
        let passes: [Bool?] =
            switch lane {
            case .light: [false]
            case .heavy: [true, nil]
            case .any: [nil]
            }
        for wanted in passes {
            for position in ring.indices {
                let key = ring[position]
                guard var queue = queues[key], queue.running < limits.runningPerKeyMax else { continue }
                let heavy = recent.milliseconds(of: key, now: now) > Self.heavyBusyMillisecondsMax
                if let wanted, heavy != wanted { continue }
                if lane == .light, queue.runningLight >= Self.lightRunningPerKeyMax { continue }
                let job = queue.jobs[queue.head]
                queue.head += 1
                queue.running += 1
                if lane == .light { queue.runningLight += 1 }
                ring.remove(at: position)
                if queue.waiting == 0 {
                    queue.jobs.removeAll(keepingCapacity: false)
                    queue.head = 0
                } else {
                    // Served: to the back of the ring.
                    ring.append(key)
                    if queue.head >= Self.compactionThreshold {
                        queue.jobs.removeFirst(queue.head)
                        queue.head = 0
                    }
                }
                queues[key] = queue
                queuedTotal -= 1
                runningTotal += 1
                return (key, job, lane == .light)
            }
        }
        return nil
    }

    /// Served jobs kept at the front of a key's array before it is compacted.
    private static let compactionThreshold = 64

    private func finished(_ key: String, onLightThread: Bool, milliseconds: Double, now: Double) {
        recent.add(milliseconds, to: key, now: now)
        guard var queue = queues[key] else { return }
        queue.running -= 1
        if onLightThread { queue.runningLight -= 1 }
        runningTotal -= 1
        if queue.running == 0, queue.waiting == 0 {
            queues.removeValue(forKey: key)
        } else {
            queues[key] = queue
        }
        // A job of this key may have been held back by its cap.
        if queue.waiting > 0 { condition.broadcast() }
    }

    private func work(_ lane: Lane) {
        if lane != .light { ThreadPriority.lower(by: limits.niceIncrement) }
        condition.lock()
        while true {
            guard let (key, job, onLightThread) = takeNext(lane, now: RecentWork.now()) else {
                condition.wait()
                continue
            }
            condition.unlock()
            let start = RecentWork.now()
            job()
            let end = RecentWork.now()
            condition.lock()
            finished(key, onLightThread: onLightThread, milliseconds: (end - start) * 1_000, now: end)
        }
    }
}

/// A job the pool would not queue: its key's queue or the whole pool's was full.
public struct WorkRefused: Error, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case keyQueueFull = "key_queue_full"
        case poolQueueFull = "pool_queue_full"
    }

    public let pool: String
    public let retryAfterSeconds: Int
    public let reason: Reason

    public var description: String {
        switch reason {
        case .keyQueueFull: "too much of this tenant's \(pool) work is waiting; try again in \(retryAfterSeconds) s"
        case .poolQueueFull: "the server has too much \(pool) work waiting; try again in \(retryAfterSeconds) s"
        }
    }
}
