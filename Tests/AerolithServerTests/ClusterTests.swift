import AerolithStorage
import Foundation
import Testing

/// Two nodes on one PostgreSQL database: a change made through one node is acted on by the
/// other within `ClusterLimits.changeDelayMillisecondsMax`, and the session purge runs on one
/// node at a time and moves when that node dies.
@Suite(.enabled(if: TestStorage.isPostgres, TestStorage.severalNodes), .serialized)
struct ClusterTests {
    /// How long a test waits for the other node: the bound, plus room for a busy machine.
    static let waitSeconds = Double(ClusterLimits.changeDelayMillisecondsMax) / 1_000 + 8

    static func nodes(arguments: [String] = []) async throws -> (ServerProcess, ServerProcess) {
        let first = try await ServerProcess(arguments: arguments)
        let second = try await ServerProcess(arguments: arguments, sharingStorageOf: first)
        return (first, second)
    }

    /// The seconds `condition` took to hold, failing after `waitSeconds`.
    static func secondsUntil(_ what: String, _ condition: () async throws -> Bool) async throws -> Double {
        let start = Date()
        try await PluginHookTests.eventually(what, timeoutSeconds: waitSeconds, condition)
        return Date().timeIntervalSince(start)
    }

    @Test func aKeyRevokedOnOneNodeIsRefusedOnTheOther() async throws {
        let (one, two) = try await Self.nodes()
        defer { _ = (one.stop(), two.stop()) }
        let admin = try one.adminKey
        let tenant = try await TenantFixture.make(server: one)
        let onTwo = TenantFixture(server: two, tenantID: tenant.tenantID, key: tenant.key)
        // Node two has seen (and remembers) the key before it is revoked.
        #expect(try await onTwo.send(.GET, "/v1/collections").status == 200)
        let keys = try await HTTP.send(.GET, one.baseURL + "/v1/tenants/\(tenant.tenantID)/keys", key: admin)
        let keyID = try #require((keys.json["keys"] as? [[String: Any]])?.first?["id"] as? String, "keys: \(keys.body)")
        let revoked = try await HTTP.send(.DELETE, one.baseURL + "/v1/tenants/\(tenant.tenantID)/keys/\(keyID)", key: admin)
        #expect(revoked.status == 204 || revoked.status == 200, "revoke: \(revoked.body)")
        let seconds = try await Self.secondsUntil("node two to refuse the revoked key") {
            try await onTwo.send(.GET, "/v1/collections").status == 401
        }
        #expect(seconds * 1_000 <= Double(ClusterLimits.changeDelayMillisecondsMax) * 2, "took \(seconds) s")
    }

    @Test func aTenantSuspendedOnOneNodeIsRefusedOnTheOther() async throws {
        let (one, two) = try await Self.nodes()
        defer { _ = (one.stop(), two.stop()) }
        let tenant = try await TenantFixture.make(server: one)
        let onTwo = TenantFixture(server: two, tenantID: tenant.tenantID, key: tenant.key)
        #expect(try await onTwo.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201)
        let suspended = try await HTTP.send(
            .PATCH, one.baseURL + "/v1/tenants/\(tenant.tenantID)", key: try one.adminKey, body: #"{"status":"suspended"}"#)
        #expect(suspended.status == 200, "suspend: \(suspended.body)")
        _ = try await Self.secondsUntil("node two to refuse the suspended tenant") {
            try await onTwo.send(.GET, "/v1/collections").code == "tenant_suspended"
        }
        let resumed = try await HTTP.send(
            .PATCH, one.baseURL + "/v1/tenants/\(tenant.tenantID)", key: try one.adminKey, body: #"{"status":"active"}"#)
        #expect(resumed.status == 200, "resume: \(resumed.body)")
        _ = try await Self.secondsUntil("node two to serve the resumed tenant") {
            try await onTwo.send(.GET, "/v1/collections").status == 200
        }
    }

    @Test func aPluginActivatedOnOneNodeActsOnTheOther() async throws {
        let plugins = NSTemporaryDirectory() + "aerolith-cluster-plugins-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: plugins) }
        try PluginHookTests.install(PluginHookTests.repository + "/SDK/examples/c/hello_plugin.c", as: "hello_plugin.so", in: plugins)
        let (one, two) = try await Self.nodes(arguments: ["--plugin-dir", plugins])
        defer { _ = (one.stop(), two.stop()) }
        let tenant = try await TenantFixture.make(server: one)
        let onTwo = TenantFixture(server: two, tenantID: tenant.tenantID, key: tenant.key)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201)
        let forbidden = #"{"forbidden":true}"#
        #expect(try await onTwo.send(.POST, "/v1/collections/notes/documents", body: forbidden).status == 201)

        let activated = try await PluginHookTests.admin(one, .POST, "/v1/tenants/\(tenant.tenantID)/plugins/hello")
        #expect(activated.status == 200, "activate: \(activated.body)")
        _ = try await Self.secondsUntil("node two to run the plugin for the tenant") {
            try await onTwo.send(.POST, "/v1/collections/notes/documents", body: forbidden).code == "forbidden_key"
        }
        #expect(
            try await HTTP.send(.GET, two.baseURL + "/v1/plugins/hello", key: try one.adminKey).json["tenants_active"] as? [String] == [
                tenant.tenantID
            ])

        #expect(try await PluginHookTests.admin(one, .POST, "/v1/plugins/hello/disable").status == 200)
        _ = try await Self.secondsUntil("node two to disable the plugin") {
            try await onTwo.send(.POST, "/v1/collections/notes/documents", body: forbidden).status == 201
        }
        #expect(try await HTTP.send(.GET, two.baseURL + "/v1/plugins/hello", key: try one.adminKey).json["state"] as? String == "disabled")
    }

    @Test func theSessionPurgeRunsOnOneNodeAndMovesWhenItDies() async throws {
        let config = NSTemporaryDirectory() + "aerolith-cluster-\(UUID().uuidString).json"
        try #"{"identity":{"cleanup_interval_seconds":1}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let (one, two) = try await Self.nodes(arguments: ["--config", config] + ServerProcess.metricsArguments)
        defer { _ = (one.stop(), two.stop()) }
        func holds(_ node: ServerProcess) async throws -> Bool? {
            let text = try await node.metrics().body
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("aerolith_cluster_lease_held{") }) else { return nil }
            return line.hasSuffix(" 1") || line.hasSuffix(" 1.0")
        }
        var holder: ServerProcess?
        _ = try await Self.secondsUntil("one node to hold the purge lease") {
            let (a, b) = (try await holds(one), try await holds(two))
            guard let a, let b, a != b else { return false }
            holder = a ? one : two
            return true
        }
        let survivor = holder === one ? two : one
        _ = holder?.stop(signal: SIGKILL)
        // The lease runs out after three intervals; the survivor takes it at its next one.
        _ = try await Self.secondsUntil("the other node to take the purge lease over") { try await holds(survivor) == true }
    }
}
