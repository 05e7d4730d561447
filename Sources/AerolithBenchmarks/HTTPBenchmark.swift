import AsyncHTTPClient
import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Document create and get over loopback HTTP with `wrk`, against a bare hello-world route
/// served by the same server build, in the same run.
enum HTTPBenchmark {
    static let durationSeconds = 5
    static let rounds = 3
    static let connections = 32
    static let threads = 2
    static let targetCreateRatio = 0.40
    static let targetGetRatio = 0.60

    static func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw BenchmarkError("wrk is not installed (apt-get install wrk)")
        }
        let directory = try temporaryDirectory("http")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try startServer(arguments: [], directory: directory)
        defer {
            server.process.terminate()
            server.process.waitUntilExit()
        }
        try await waitUntilReady(server.base)
        let base = server.base
        let key = try await setUpTenant(base: base, adminKey: server.adminKey).key

        print(
            "== http: wrk, \(connections) connections, \(threads) threads, \(durationSeconds) s each, best of \(rounds) interleaved rounds, loopback =="
        )
        // The baseline: GET /health/live, the server's bare hello-world route (a constant body, no
        // credential), through the same middleware as every other route.
        let createScript = Self.createScript(key: key)
        let getScript = Self.getScript(key: key)
        var hello = 0.0
        var create = 0.0
        var get = 0.0
        // Interleaved rounds, best of each: the round least disturbed by other work on the machine.
        for _ in 0..<rounds {
            hello = max(hello, try wrk(url: base + "/health/live", script: nil))
            create = max(create, try wrk(url: base + "/v1/collections/items/documents", script: createScript))
            get = max(get, try wrk(url: base + "/v1/collections/items/documents/fixed", script: getScript))
        }
        print("                       req/s")
        print("hello world       \(format(hello))")
        print("document create   \(format(create))   ratio \(String(format: "%.2f", create / hello)) (target >= \(targetCreateRatio))")
        print("document get      \(format(get))   ratio \(String(format: "%.2f", get / hello)) (target >= \(targetGetRatio))")
    }

    /// wrk's script for `POST /v1/collections/items/documents` with `key`.
    static func createScript(key: String) -> String {
        """
        wrk.method = "POST"
        wrk.body = '{"name":"bench","age":42,"tags":["a","b"],"address":{"city":"Oslo"}}'
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Authorization"] = "Bearer \(key)"
        """
    }

    /// wrk's script for a GET with `key`.
    static func getScript(key: String) -> String { "wrk.headers[\"Authorization\"] = \"Bearer \(key)\"" }

    struct RunningServer {
        let process: Process
        let base: String
        let adminKey: String
    }

    /// The real server binary of this build, as deployed (`aerolith serve`), in its own process.
    /// `adminKey`: the key the server was given (`--admin-key-file`), which it does not write out.
    static func startServer(arguments: [String], directory: String, adminKey suppliedKey: String? = nil) throws -> RunningServer {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let binary = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("aerolith").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchmarkError("\(binary) is missing: build both products with `swift build -c release`")
        }
        let port = try freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve", "--data-dir", directory + "/data", "--port", String(port), "--log-level", "error"] + arguments
        try server.run()
        let base = "http://127.0.0.1:\(port)"
        if let suppliedKey { return RunningServer(process: server, base: base, adminKey: suppliedKey) }
        let keyFile = directory + "/data/admin.key"
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: keyFile) { usleep(25_000) }
        let adminKey = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return RunningServer(process: server, base: base, adminKey: adminKey)
    }

    static func waitUntilReady(_ base: String) async throws {
        for _ in 0..<200 {
            var request = HTTPClientRequest(url: base + "/health/ready")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError("the server did not become ready")
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw BenchmarkError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func setUpTenant(base: String, adminKey: String) async throws -> (key: String, tenantID: String) {
        let admin = adminKey.trimmingCharacters(in: .whitespacesAndNewlines)
        let tenant = try await post(base + "/v1/tenants", key: admin, body: #"{"name":"bench"}"#)
        guard let tenantID = tenant["id"] as? String else { throw BenchmarkError("tenant: \(tenant)") }
        let created = try await post(base + "/v1/tenants/\(tenantID)/keys", key: admin, body: #"{"name":"bench"}"#)
        guard let key = created["key"] as? String else { throw BenchmarkError("key: \(created)") }
        _ = try await post(base + "/v1/collections", key: key, body: #"{"name":"items"}"#)
        _ = try await post(
            base + "/v1/collections/items/documents", key: key, body: #"{"id":"fixed","name":"bench","age":42,"tags":["a","b"]}"#)
        return (key, tenantID)
    }

    static func post(_ url: String, key: String, body: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (try JSONSerialization.jsonObject(with: Data(String(buffer: bytes).utf8))) as? [String: Any] ?? [:]
    }

    /// Runs wrk and returns its requests per second; fails if any response was not 2xx.
    static func wrk(url: String, script: String?, connections: Int = connections, threads: Int = threads) throws -> Double {
        var arguments = ["-t", String(threads), "-c", String(connections), "-d", "\(durationSeconds)s", "--latency"]
        var scriptPath: String?
        if let script {
            let path = NSTemporaryDirectory() + "aerolith-bench-\(UUID().uuidString).lua"
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["-s", path]
            scriptPath = path
        }
        defer { scriptPath.map { try? FileManager.default.removeItem(atPath: $0) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = arguments + [url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if output.contains("Non-2xx or 3xx responses") { throw BenchmarkError("\(url) answered errors:\n\(output)") }
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let value = Double(line.split(separator: " ").last ?? "")
        else {
            throw BenchmarkError("cannot read wrk output:\n\(output)")
        }
        return value
    }
}
