import AsyncHTTPClient
import Foundation
import NIOCore

/// The comparison as a client sees it: the real `aerolith serve` binary in its own process,
/// GETs one at a time over the shared client's keep-alive loopback connection, each timed from
/// the request sent to the whole response read.
extension HookDispatchBenchmark {
    static let httpRounds = 5
    static let httpPairs = 3_000
    static let httpWarmUpPairs = 2_000
    static let httpResponseBytesMax = 1 << 20

    static func http(pluginPath: String) async throws -> Comparison {
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
        return try await compareRounds(rounds: httpRounds, pairs: httpPairs, warmUpPairs: httpWarmUpPairs, admin: server.adminKey) {
            method, path, key, body in
            var request = HTTPClientRequest(url: server.base + path)
            request.method = .RAW(value: method)
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: httpResponseBytesMax)
            return (Int(response.status.code), String(buffer: bytes))
        }
    }
}
