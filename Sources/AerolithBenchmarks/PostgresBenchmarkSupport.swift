import Foundation
import Synchronization

/// A database of its own on the benchmark's PostgreSQL server, created with `psql` and dropped afterwards.
struct BenchDatabase {
    let server: String
    let name: String
    let url: String

    init(server: String) throws {
        self.server = server
        name = "aerolith_bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        guard var components = URLComponents(string: server) else { throw BenchmarkError("not a URL: \(server)") }
        components.path = "/" + name
        guard let url = components.string else { throw BenchmarkError("cannot name a database in \(server)") }
        self.url = url
        _ = try Self.run("/usr/bin/psql", ["--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "-d", server, "-c", "CREATE DATABASE \(name)"])
    }

    func drop() {
        _ = try? Self.run("/usr/bin/psql", ["--no-psqlrc", "-q", "-d", server, "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    }

    /// The single value `sql` selects.
    func psqlValue(_ sql: String) throws -> String {
        try Self.run("/usr/bin/psql", ["--no-psqlrc", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Transactions per second of `script` under pgbench, with the benchmark's concurrency.
    func pgbench(script: String) throws -> Double {
        let path = NSTemporaryDirectory() + "aerolith-pgbench-\(UUID().uuidString).sql"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // As many transactions as the store ran, under a wall-clock bound (`timeout`), so a run
        // that stalls fails instead of hanging the benchmark.
        let output = try Self.run(
            "/usr/bin/timeout",
            [
                String(PostgresBenchmark.pgbenchSecondsMax), "/usr/lib/postgresql/15/bin/pgbench", "-n", "-M", "prepared", "-c",
                String(PostgresBenchmark.clients), "-j", "2", "-t", String(PostgresBenchmark.documentCount / PostgresBenchmark.clients),
                "-f", path, url,
            ])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst(6).split(separator: " ").first ?? "")
        else { throw BenchmarkError("cannot read pgbench output:\n\(output)") }
        return value
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError("\(executable) failed: \(text)") }
        return text
    }
}

/// One `aerolith serve` process for the HTTP figures, with a tenant, a key and a fixed document.
struct HTTPNode {
    let server: HTTPBenchmark.RunningServer
    let directory: String
    let tenant: (key: String, tenantID: String)

    /// `adminKey` and `tenant`: a second node on the first one's database, reusing its tenant.
    init(arguments: [String], adminKey: String? = nil, tenant: (key: String, tenantID: String)? = nil) async throws {
        directory = try temporaryDirectory("pg-http")
        var nodeArguments = arguments
        if let adminKey {
            let keyFile = directory + "/supplied.key"
            try (adminKey + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
            nodeArguments += ["--admin-key-file", keyFile]
        }
        server = try HTTPBenchmark.startServer(arguments: nodeArguments, directory: directory, adminKey: adminKey)
        try await HTTPBenchmark.waitUntilReady(server.base)
        if let tenant {
            self.tenant = tenant
        } else {
            self.tenant = try await HTTPBenchmark.setUpTenant(base: server.base, adminKey: server.adminKey)
        }
    }

    func stop() {
        server.process.terminate()
        server.process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var createScript: String { HTTPBenchmark.createScript(key: tenant.key) }
    var getScript: String { HTTPBenchmark.getScript(key: tenant.key) }
    var createURL: String { server.base + "/v1/collections/items/documents" }
    var getURL: String { server.base + "/v1/collections/items/documents/fixed" }

    func wrkCreate() throws -> Double { try HTTPBenchmark.wrk(url: createURL, script: createScript) }
    func wrkGet() throws -> Double { try HTTPBenchmark.wrk(url: getURL, script: getScript) }

    /// Requests per second of wrk on every node at once (half the connections each), summed.
    static func together(_ nodes: [HTTPNode], get: Bool) throws -> Double {
        let results = Results(count: nodes.count)
        let group = DispatchGroup()
        for (index, node) in nodes.enumerated() {
            DispatchQueue.global().async(group: group) {
                let value = Result {
                    try HTTPBenchmark.wrk(
                        url: get ? node.getURL : node.createURL, script: get ? node.getScript : node.createScript,
                        connections: HTTPBenchmark.connections / nodes.count, threads: 1)
                }
                results.set(index, value)
            }
        }
        group.wait()
        return try results.values().reduce(0, +)
    }
}

/// The figures of concurrent wrk runs, one slot each.
private final class Results: Sendable {
    private let slots: Mutex<[Result<Double, any Error>?]>
    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
    func set(_ index: Int, _ value: Result<Double, any Error>) { slots.withLock { $0[index] = value } }
    func values() throws -> [Double] { try slots.withLock { $0 }.map { try ($0 ?? .failure(BenchmarkError("no figure"))).get() } }
}
