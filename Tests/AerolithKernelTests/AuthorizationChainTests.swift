import Foundation
import Logging
import Testing

@testable import AerolithKernel

/// The authorization chain as the dispatch code walks it: two plugins of three hooks each (one
/// reentrant, one serialised), runs of one plugin's hooks, the first refusal stopping the chain
/// with its own message, failures named by plugin and hook, tenant state per call, and only the
/// plugins active for the tenant taking part.
@Suite struct AuthorizationChainTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/chain_plugin.c").path
    static let tenant = "tn_cccccccccccccccccccc"
    static let other = "tn_dddddddddddddddddddd"

    func registry() throws -> (PluginRegistry, ScratchStore) {
        let scratch = try ScratchStore()
        let plugins = scratch.directory + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let source = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        for (name, defines) in [
            ("chain-a", ["PLUGIN_FLAGS=AEROLITH_PLUGIN_REENTRANT", "PRIORITY_BASE=0"]), ("chain-b", ["PRIORITY_BASE=10"]),
        ] {
            let staging = scratch.directory + "/staging-\(name)"
            try FileManager.default.createDirectory(
                atPath: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let flags =
                ["-Wall", "-Wextra", "-Werror", "-I", SDKTests.sdk + "/include", "-DPLUGIN_NAME=\"\(name)\""] + defines.map { "-D" + $0 }
            let built = try compileSharedObject(source, name: name, in: staging, extraFlags: flags)
            guard rename(built, plugins + "/\(name).so") == 0 else { throw CompileFailure(name: name) }
        }
        let registry = PluginRegistry(
            directories: PluginDirectories(dataDirectory: scratch.directory, extra: [], environment: [:], besideExecutable: nil),
            keyValues: scratch.store.keyValues, logger: Logger(label: "test"))
        registry.scan()
        return (registry, scratch)
    }

    func authorize(_ registry: PluginRegistry, _ tenant: String = tenant, path: String, subject: String = "ak_x")
        -> PluginRegistry.AuthorizeOutcome
    {
        registry.authorize(
            registry.hooks(forTenant: tenant), tenantID: tenant, requestID: "r1",
            .init(
                method: "GET", path: path, permission: "documents:read", subject: subject, role: "viewer", collection: "c"))
    }

    @Test func runsInOrderAndStopsAtTheFirstRefusal() throws {
        let (registry, scratch) = try registry()
        defer {
            registry.shutdown()
            _ = scratch
        }
        #expect(
            registry.chains.order[.authorize] == [
                "chain-a/note", "chain-a/deny", "chain-a/fail", "chain-b/note", "chain-b/deny", "chain-b/fail",
            ])
        try registry.activate("chain-a", tenantID: Self.tenant, settings: Array("{}".utf8))
        try registry.activate("chain-b", tenantID: Self.tenant, settings: Array("{}".utf8))

        // Every hook saw its tenant state (or it would have failed), and notes left no trace.
        #expect(authorize(registry, path: "/v1/x") == .allowed)
        // The message is the denying hook's alone, though a note ran before it in the same run.
        #expect(authorize(registry, path: "/v1/deny-chain-b") == .denied(plugin: "chain-b", message: "denied by chain-b"))
        #expect(authorize(registry, path: "/v1/deny-chain-a/fail-chain-b") == .denied(plugin: "chain-a", message: "denied by chain-a"))
        guard case .failed(let failure) = authorize(registry, path: "/v1/fail-chain-a/deny-chain-b") else {
            Issue.record("a failing hook must fail the chain")
            return
        }
        #expect(failure.plugin == "chain-a" && failure.hook == "fail" && failure.message == "chain-a failed" && failure.status != 0)

        // A long subject is lent to the hooks like a short one, and decides the same.
        let longSubject = String(repeating: "s", count: 4_096)
        #expect(
            authorize(registry, path: "/v1/deny-chain-b", subject: longSubject) == .denied(plugin: "chain-b", message: "denied by chain-b"))
        #expect(authorize(registry, path: "/v1/x", subject: longSubject) == .allowed)

        // Only the plugins active for a tenant take part.
        #expect(authorize(registry, Self.other, path: "/v1/deny-chain-a") == .allowed)
        try registry.deactivate("chain-a", tenantID: Self.tenant)
        #expect(authorize(registry, path: "/v1/deny-chain-a") == .allowed)
        #expect(authorize(registry, path: "/v1/deny-chain-b") == .denied(plugin: "chain-b", message: "denied by chain-b"))
        try registry.disable("chain-b")
        #expect(authorize(registry, path: "/v1/deny-chain-b") == .allowed)
    }

    @Test func concurrentRequestsThroughASerialisedPlugin() async throws {
        let (registry, scratch) = try registry()
        defer {
            registry.shutdown()
            _ = scratch
        }
        try registry.activate("chain-a", tenantID: Self.tenant, settings: Array("{}".utf8))
        try registry.activate("chain-b", tenantID: Self.tenant, settings: Array("{}".utf8))
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<400 {
                group.addTask {
                    let path = index % 2 == 0 ? "/v1/deny-chain-b" : "/v1/ok"
                    let expected: PluginRegistry.AuthorizeOutcome =
                        index % 2 == 0 ? .denied(plugin: "chain-b", message: "denied by chain-b") : .allowed
                    return authorize(registry, path: path) == expected
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.count == 400 && outcomes.allSatisfy { $0 })
    }
}
