import AerolithServer
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Document create and get over loopback HTTP with `wrk`, against a bare hello-world route
/// served by the same server build, in the same run.
enum HTTPBenchmark {
    static let durationSeconds = 10
    static let connections = 32
    static let threads = 2
    static let targetCreateRatio = 0.40
    static let targetGetRatio = 0.60

    static func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { throw BenchmarkError("wrk is not installed (apt-get install wrk)") }
        let directory = try temporaryDirectory("http")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = try await AerolithServer.makeApplication(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, dataDirectory: directory, logLevel: .error),
            logger: logger,
            configureRouter: { router in
                router.get("/bench/hello") { _, _ in "hello" }
            },
            onListening: { port in portContinuation.yield(port) }
        )
        let server = Task { try await application.run() }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchmarkError("server did not start") }
        let base = "http://127.0.0.1:\(port)"
        let key = try await setUpTenant(base: base, adminKey: try String(contentsOfFile: directory + "/admin.key", encoding: .utf8))

        print("== http: wrk, \(connections) connections, \(threads) threads, \(durationSeconds) s each, loopback ==")
        let hello = try wrk(url: base + "/bench/hello", script: nil)
        let create = try wrk(url: base + "/v1/collections/items/documents", script: """
            wrk.method = "POST"
            wrk.body = '{"name":"bench","age":42,"tags":["a","b"],"address":{"city":"Oslo"}}'
            wrk.headers["Content-Type"] = "application/json"
            wrk.headers["Authorization"] = "Bearer \(key)"
            """)
        let get = try wrk(url: base + "/v1/collections/items/documents/fixed", script: """
            wrk.headers["Authorization"] = "Bearer \(key)"
            """)
        print("                       req/s")
        print("hello world       \(format(hello))")
        print("document create   \(format(create))   ratio \(String(format: "%.2f", create / hello)) (target >= \(targetCreateRatio))")
        print("document get      \(format(get))   ratio \(String(format: "%.2f", get / hello)) (target >= \(targetGetRatio))")
        server.cancel()
        try? await server.value
    }

    static func setUpTenant(base: String, adminKey: String) async throws -> String {
        let admin = adminKey.trimmingCharacters(in: .whitespacesAndNewlines)
        let tenant = try await post(base + "/v1/tenants", key: admin, body: #"{"name":"bench"}"#)
        guard let tenantID = tenant["id"] as? String else { throw BenchmarkError("tenant: \(tenant)") }
        let created = try await post(base + "/v1/tenants/\(tenantID)/keys", key: admin, body: #"{"name":"bench"}"#)
        guard let key = created["key"] as? String else { throw BenchmarkError("key: \(created)") }
        _ = try await post(base + "/v1/collections", key: key, body: #"{"name":"items"}"#)
        _ = try await post(base + "/v1/collections/items/documents", key: key, body: #"{"id":"fixed","name":"bench","age":42,"tags":["a","b"]}"#)
        return key
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
    static func wrk(url: String, script: String?) throws -> Double {
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
              let value = Double(line.split(separator: " ").last ?? "") else {
            throw BenchmarkError("cannot read wrk output:\n\(output)")
        }
        return value
    }
}
