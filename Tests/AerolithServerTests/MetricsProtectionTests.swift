import Foundation
import NIOHTTP1
import Testing

/// `/metrics` spans every tenant: only the operator's scraper reads it, and what plugins publish
/// there carries no tenant's data unless the operator asks for it.
@Suite struct MetricsProtectionTests {
    static let meteringFixture = PluginHookTests.repository + "/Tests/AerolithKernelTests/Fixtures/metering_plugin.c"

    /// A server whose data directory holds the metering fixture from the start.
    static func meteringServer(arguments: [String] = []) async throws -> ServerProcess {
        let directory = NSTemporaryDirectory() + "aerolith-metering-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/plugins")
        try PluginHookTests.install(meteringFixture, as: "metering.so", in: directory + "/plugins")
        let server = try await ServerProcess(dataDirectory: directory, arguments: ServerProcess.metricsArguments + arguments)
        try await PluginHookTests.eventually("the plugin to load") {
            try await PluginHookTests.admin(server, .GET, "/v1/plugins/metering").string("state") == "enabled"
        }
        return server
    }

    /// The exported lines of `aerolith_plugin_metering_writes`.
    static func writeSeries(_ server: ServerProcess) async throws -> [Substring] {
        try await server.metrics().body.split(separator: "\n").filter { $0.hasPrefix("aerolith_plugin_metering_writes{") }
    }

    /// The value at the end of an exposition line.
    static func value(_ line: Substring) -> Double? { line.split(separator: " ").last.flatMap { Double($0) } }

    @Test func metricsNeedTheMetricsToken() async throws {
        let server = try await ServerProcess(arguments: ServerProcess.metricsArguments)
        let tenant = try await TenantFixture.make(server: server)
        let admin = try server.adminKey
        for key in [nil, "wrong-token-wrong-token-wrong", admin, tenant.key] {
            let refused = try await HTTP.send(.GET, server.baseURL + "/metrics", key: key)
            #expect(refused.status == 401 && refused.code == "metrics_unauthorized", "\(key ?? "none"): \(refused.body)")
            #expect(!refused.body.contains("hb_requests"))
        }
        let metrics = try await server.metrics()
        #expect(metrics.status == 200 && metrics.body.contains("hb_requests"))
    }

    @Test func withoutAConfiguredTokenMetricsAreClosed() async throws {
        let server = try await ServerProcess()
        let admin = try server.adminKey
        for key in [nil, ServerProcess.metricsToken, admin] {
            let refused = try await HTTP.send(.GET, server.baseURL + "/metrics", key: key)
            #expect(refused.status == 401 && refused.code == "metrics_unauthorized")
        }
    }

    @Test func theTokenComesFromTheConfigurationFileUnlessAFlagOverridesIt() async throws {
        let config = NSTemporaryDirectory() + "aerolith-metrics-\(UUID().uuidString).json"
        try #"{"metrics_token": "token-from-the-config-file-0123"}"#.write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let fromFile = try await ServerProcess(arguments: ["--config", config])
        #expect(try await HTTP.send(.GET, fromFile.baseURL + "/metrics", key: "token-from-the-config-file-0123").status == 200)
        let overridden = try await ServerProcess(arguments: ["--config", config] + ServerProcess.metricsArguments)
        #expect(try await HTTP.send(.GET, overridden.baseURL + "/metrics", key: "token-from-the-config-file-0123").status == 401)
        #expect(try await overridden.metrics().status == 200)
        let short = try CLITests.aerolith([
            "serve", "--metrics-token", "short", "--data-dir", NSTemporaryDirectory() + "unused-\(UUID().uuidString)",
        ])
        #expect(short.status != 0 && short.stderr.contains("invalid_configuration") && short.stderr.contains("metrics_token"))
    }

    @Test func pluginLabelValuesAreRedactedUnlessTheOperatorOptsIn() async throws {
        let server = try await Self.meteringServer()
        let tenant = try await TenantFixture.make(server: server)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"project-titan-acquisition"}"#).status == 201)
        #expect(try await tenant.send(.POST, "/v1/collections/project-titan-acquisition/documents", body: "{}").status == 201)
        var series: [Substring] = []
        try await PluginHookTests.eventually("the write counted") {
            series = try await Self.writeSeries(server)
            return !series.isEmpty
        }
        #expect(series.count == 1 && series[0].contains(#"collection="redacted""#) && Self.value(series[0]) == 1)
        let everything = try await server.metrics().body
        #expect(!everything.contains("project-titan-acquisition"))
    }

    @Test func optedInLabelValuesShowAndTheirCardinalityIsBounded() async throws {
        let config = NSTemporaryDirectory() + "aerolith-metrics-\(UUID().uuidString).json"
        try #"{"plugins": {"metric_label_values": {"metering": ["collection"]}}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try await Self.meteringServer(arguments: ["--config", config])
        let tenant = try await TenantFixture.make(server: server)
        let collections = 110
        for index in 0..<collections {
            #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"c\#(index)"}"#).status == 201)
            #expect(try await tenant.send(.POST, "/v1/collections/c\(index)/documents", body: "{}").status == 201)
        }
        var series: [Substring] = []
        try await PluginHookTests.eventually("every write counted") {
            series = try await Self.writeSeries(server)
            return series.compactMap(Self.value).reduce(0, +) == Double(collections)
        }
        // 100 label sets as published, the rest folded into one `other` series.
        #expect(series.count == 101)
        #expect(series.contains { $0.contains(#"collection="c0""#) })
        let other = try #require(series.first { $0.contains(#"collection="other""#) })
        #expect(Self.value(other) == 10)
        #expect(!series.contains { $0.contains(#"collection="c109""#) })
    }
}
