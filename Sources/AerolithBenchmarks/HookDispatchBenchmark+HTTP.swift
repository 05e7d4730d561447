import Foundation

/// The comparison as a client sees it: the real `aerolith serve` binary in its own process,
/// GETs over one keep-alive loopback connection, each timed from the request's first byte sent
/// to the response's last byte read.
extension HookDispatchBenchmark {
    static let httpPairs = 20_000
    static let httpWarmUpPairs = 2_000

    static func http(pluginPath: String) async throws -> StackResult {
        let directory = try temporaryDirectory("hooks-http")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plugins = directory + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.copyItem(atPath: pluginPath, toPath: plugins + "/noop.so")
        let server = try HTTPBenchmark.startServer(arguments: ["--plugin-dir", plugins], directory: directory)
        defer {
            server.process.terminate()
            server.process.waitUntilExit()
        }
        try await HTTPBenchmark.waitUntilReady(server.base)
        guard let port = server.base.split(separator: ":").last.flatMap({ Int($0) }) else { throw BenchmarkError("no port in \(server.base)") }
        let client = try LoopbackClient(port: port)
        return try await compareAlternating(pairs: httpPairs, warmUpPairs: httpWarmUpPairs, admin: server.adminKey) { method, path, key, body in
            try client.send(method, path, key: key, body: body)
        }
    }
}
