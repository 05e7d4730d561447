import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Tenant B's point-get and small-query latency against the real server, alone, then while
/// tenant A runs a saturating load of expensive queries, then while 150 anonymous clients (each
/// from its own loopback address) try to sign in to accounts that do not exist. The figure held
/// to the target is B's p99 under each aggressor against its p99 alone, measured in this run.
enum FairnessBenchmark {
    /// Documents in tenant A's collection (env `AEROLITH_BENCH_FAIRNESS_DOCUMENTS`).
    static let documentsCountDefault = 80_000
    /// B's requests of each kind per phase.
    static let samplesPerPhase = 3_000
    /// Tenant A's clients, each running the expensive query back to back.
    static let expensiveClients = 12
    /// Anonymous sign-in clients, each on its own source address 127.0.0.2….
    static let signInClients = 150
    /// Seconds an aggressor runs before B is measured, so that its queues are full.
    static let warmUpSeconds = 2
    static let targetRatioMax = 3.0

    static func run() async throws {
        let documents = ProcessInfo.processInfo.environment["AEROLITH_BENCH_FAIRNESS_DOCUMENTS"].flatMap(Int.init) ?? documentsCountDefault
        let directory = try temporaryDirectory("fairness")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try HTTPBenchmark.startServer(arguments: [], directory: directory)
        defer {
            server.process.terminate()
            server.process.waitUntilExit()
        }
        try await HTTPBenchmark.waitUntilReady(server.base)
        let noisy = try await HTTPBenchmark.setUpTenant(base: server.base, adminKey: server.adminKey)
        let quiet = try await HTTPBenchmark.setUpTenant(base: server.base, adminKey: server.adminKey)
        for index in 0..<4 {
            _ = try await HTTPBenchmark.post(server.base + "/v1/collections/items/documents", key: quiet.key, body: #"{"n":\#(index)}"#)
        }
        print("== fairness: tenant B's latency, alone and beside aggressors; real server over loopback, \(documents) documents for A ==")
        try await fill(base: server.base, key: noisy.key, count: documents)

        let alone = try await measureQuiet(base: server.base, key: quiet.key)
        let (underQueries, queryStats) = try await withExpensiveQueries(base: server.base, key: noisy.key) {
            try await measureQuiet(base: server.base, key: quiet.key)
        }
        let port = Int(server.base.split(separator: ":").last ?? "") ?? 0
        let (underSignIns, signInStats) = try await withSignIns(port: port, tenantID: noisy.tenantID) {
            try await measureQuiet(base: server.base, key: quiet.key)
        }
        print("                          get p50    get p99  query p50  query p99   (ms; B's requests, \(samplesPerPhase) of each)")
        for (label, figures) in [("alone", alone), ("A's expensive queries", underQueries), ("150 sign-ins", underSignIns)] {
            print(
                label.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + [figures.get.p50, figures.get.p99, figures.query.p50, figures.query.p99].map { String(format: "%10.2f ", $0 * 1e3) }
                    .joined())
        }
        for (label, figures) in [("A's expensive queries", underQueries), ("150 sign-ins", underSignIns)] {
            let getRatio = figures.get.p99 / alone.get.p99
            let queryRatio = figures.query.p99 / alone.query.p99
            print(
                "p99 ratio under \(label): get \(String(format: "%.2f", getRatio)), query \(String(format: "%.2f", queryRatio)) (target <= \(targetRatioMax))"
            )
        }
        print("A's queries meanwhile: \(queryStats)")
        print("sign-ins meanwhile: \(signInStats)")
    }

    struct Percentiles { let p50: Double, p99: Double }

    static func percentiles(_ seconds: [Double]) -> Percentiles {
        let sorted = seconds.sorted()
        func at(_ fraction: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] }
        return Percentiles(p50: at(0.50), p99: at(0.99))
    }

    /// B's point-gets and 5-document queries, alternating, one at a time.
    static func measureQuiet(base: String, key: String) async throws -> (get: Percentiles, query: Percentiles) {
        var gets: [Double] = []
        var queries: [Double] = []
        var get = HTTPClientRequest(url: base + "/v1/collections/items/documents/fixed")
        get.headers.add(name: "Authorization", value: "Bearer \(key)")
        var query = HTTPClientRequest(url: base + "/v1/collections/items/query")
        query.method = .POST
        query.headers.add(name: "Authorization", value: "Bearer \(key)")
        query.headers.add(name: "Content-Type", value: "application/json")
        query.body = .bytes(ByteBuffer(string: #"{"limit":5}"#))
        for _ in 0..<samplesPerPhase {
            for (request, isGet) in [(get, true), (query, false)] {
                let start = ContinuousClock.now
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
                _ = try await response.body.collect(upTo: 1 << 20)
                guard response.status == .ok else { throw BenchmarkError("tenant B got \(response.status.code)") }
                let elapsed = nanoseconds(since: start) / 1e9
                if isGet { gets.append(elapsed) } else { queries.append(elapsed) }
            }
        }
        return (percentiles(gets), percentiles(queries))
    }

    static func fill(base: String, key: String, count: Int) async throws {
        let batches = (count + 99) / 100
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in 0..<batches {
                if batch >= 4 { try await group.next() }
                group.addTask {
                    let operations = (batch * 100..<min(count, batch * 100 + 100)).map {
                        #"{"op":"create","data":{"name":"name-\#($0)","tag":"t\#($0 % 7)","n":\#($0),"x":\#($0 % 13)}}"#
                    }
                    _ = try await HTTPBenchmark.post(
                        base + "/v1/collections/items/batch", key: key, body: #"{"operations":[\#(operations.joined(separator: ","))]}"#)
                }
            }
            try await group.waitForAll()
        }
    }

    /// The review's expensive query: a `$or` of 31 `$prefix` comparisons (62 as the filter limit
    /// counts them: each branch and each comparison) with a four-key sort.
    static let expensiveQuery =
        #"{"filter":{"$or":[\#((0..<31).map { #"{"name":{"$prefix":"name-\#($0)"}}"# }.joined(separator: ","))]},"sort":["tag","-name","n","-x"],"limit":10}"#

    /// Runs `body` while A's clients run the expensive query back to back.
    static func withExpensiveQueries<T: Sendable>(base: String, key: String, _ body: () async throws -> T) async throws -> (T, String) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: expensiveClients)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let tally = Tally()
        var request = HTTPClientRequest(url: base + "/v1/collections/items/query")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: expensiveQuery))
        let aggressors = (0..<expensiveClients).map { [request] _ in
            Task {
                while !tally.stopped {
                    guard let response = try? await client.execute(request, timeout: .seconds(120)) else { continue }
                    _ = try? await response.body.collect(upTo: 1 << 20)
                    tally.count(Int(response.status.code))
                }
            }
        }
        try await Task.sleep(for: .seconds(warmUpSeconds))
        let result = try await body()
        tally.stop()
        for aggressor in aggressors { await aggressor.value }
        try await client.shutdown()
        return (result, tally.summary)
    }

    /// Runs `body` while anonymous clients sign in to unknown accounts of `tenantID`, each from
    /// its own address, back to back (after a refusal, they wait the `Retry-After` they got).
    static func withSignIns<T: Sendable>(port: Int, tenantID: String, _ body: () async throws -> T) async throws -> (T, String) {
        let tally = Tally()
        let done = DispatchGroup()
        for client in 0..<signInClients {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                var attempt = 0
                while !tally.stopped {
                    attempt += 1
                    let body =
                        #"{"tenant":"\#(tenantID)","email":"nobody-\#(client)-\#(attempt)@example.com","password":"guess guess guess"}"#
                    guard
                        let reply = try? LoopbackClient.post(port: port, from: "127.0.0.\(2 + client)", path: "/v1/auth/login", body: body)
                    else { continue }
                    tally.count(reply.status)
                    if let wait = reply.retryAfterSeconds { sleep(UInt32(min(wait, 5))) }
                }
            }
            thread.start()
        }
        try await Task.sleep(for: .seconds(warmUpSeconds))
        let result = try await body()
        tally.stop()
        await withCheckedContinuation { continuation in done.notify(queue: .global()) { continuation.resume() } }
        return (result, tally.summary)
    }
}

/// What an aggressor's clients got, by status, and the flag that stops them.
final class Tally: Sendable {
    private let halted = Atomic<Bool>(false)
    private let counts = Mutex<[Int: Int]>([:])

    var stopped: Bool { halted.load(ordering: .relaxed) }
    func stop() { halted.store(true, ordering: .relaxed) }
    func count(_ status: Int) { counts.withLock { $0[status, default: 0] += 1 } }

    var summary: String {
        counts.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
    }
}
