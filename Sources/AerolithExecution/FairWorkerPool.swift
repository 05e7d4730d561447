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
///   Dispatch's shared pool or the threads that serve requests, and those threads run at a lower
///   CPU priority (`Limits.niceIncrement`) than the request threads, so a saturated pool leaves
///   the cores to latency-sensitive work first.
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

        public init(threadCount: Int, runningPerKeyMax: Int, queuedPerKeyMax: Int, queuedTotalMax: Int,
                    niceIncrement: Int32 = FairWorkerPool.niceIncrementDefault, retryAfterSeconds: Int = 1) {
            precondition(threadCount >= 1 && runningPerKeyMax >= 1 && queuedPerKeyMax >= 0 && queuedTotalMax >= 0)
            self.threadCount = threadCount
            self.runningPerKeyMax = runningPerKeyMax
            self.queuedPerKeyMax = queuedPerKeyMax
            self.queuedTotalMax = queuedTotalMax
            self.niceIncrement = niceIncrement
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// Work threads are this much "nicer" than the request threads by default: at nice 5 the
    /// Linux scheduler gives a request thread about three times a worker's share of a busy core.
    public static let niceIncrementDefault: Int32 = 5

    public let name: String
    public let limits: Limits

    private let condition = NSCondition()
    private var queues: [String: KeyQueue] = [:]
    /// Keys with jobs waiting, in the order they are next served.
    private var ring: [String] = []
    private var queuedTotal = 0
    private var runningTotal = 0

    private struct KeyQueue {
        var jobs: [Job] = []
        var head = 0
        var running = 0
        var waiting: Int { jobs.count - head }
    }

    private typealias Job = @Sendable () -> Void

    public init(name: String, limits: Limits) {
        self.name = name
        self.limits = limits
        for index in 0..<limits.threadCount {
            let thread = Thread { [self] in self.work() }
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
            return WorkRefused(pool: name, retryAfterSeconds: limits.retryAfterSeconds,
                               reason: queue.waiting >= limits.queuedPerKeyMax ? .keyQueueFull : .poolQueueFull)
        }
        if queue.waiting == 0 { ring.append(key) }
        queue.jobs.append(job)
        queues[key] = queue
        queuedTotal += 1
        condition.signal()
        return nil
    }

    /// The next job a thread may run, in round-robin order over keys under their running cap.
    private func takeNext() -> (String, Job)? {
        for position in ring.indices {
            let key = ring[position]
            guard var queue = queues[key], queue.running < limits.runningPerKeyMax else { continue }
            let job = queue.jobs[queue.head]
            queue.head += 1
            queue.running += 1
            if queue.waiting == 0 {
                queue.jobs.removeAll(keepingCapacity: false)
                queue.head = 0
                ring.remove(at: position)
            } else {
                // Served: to the back of the ring.
                ring.remove(at: position)
                ring.append(key)
                if queue.head >= Self.compactionThreshold {
                    queue.jobs.removeFirst(queue.head)
                    queue.head = 0
                }
            }
            queues[key] = queue
            queuedTotal -= 1
            runningTotal += 1
            return (key, job)
        }
        return nil
    }

    /// Served jobs kept at the front of a key's array before it is compacted.
    private static let compactionThreshold = 64

    private func finished(_ key: String) {
        guard var queue = queues[key] else { return }
        queue.running -= 1
        runningTotal -= 1
        if queue.running == 0, queue.waiting == 0 {
            queues.removeValue(forKey: key)
        } else {
            queues[key] = queue
        }
        // A job of this key may have been held back by its cap.
        if queue.waiting > 0 { condition.signal() }
    }

    private func work() {
        ThreadPriority.lower(by: limits.niceIncrement)
        condition.lock()
        while true {
            guard let (key, job) = takeNext() else {
                condition.wait()
                continue
            }
            condition.unlock()
            job()
            condition.lock()
            finished(key)
        }
    }
}

/// A job the pool would not queue: its key's queue or the whole pool's was full.
public struct WorkRefused: Error, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable { case keyQueueFull = "key_queue_full", poolQueueFull = "pool_queue_full" }

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
