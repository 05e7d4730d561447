import Foundation
import Logging
import Testing

@testable import AerolithKernel

/// Host functions check the context they are called with: a hook's context kept past its
/// callback, and the process-wide context of a disabled plugin, are refused and change nothing.
/// The plugin (Fixtures/keeper_plugin.c) calls `state_put` from exported functions, called here
/// straight through their addresses, as a thread of the plugin's own would call at any time.
@Suite struct HostContextTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/keeper_plugin.c").path
    static let tenant = "tn_aaaaaaaaaaaaaaaaaaaa"
    static let invalidState: Int64 = 6

    typealias Put = @convention(c) () -> Int64

    @Test func keptAndDisabledContextsAreRefused() throws {
        let scratch = try ScratchStore()
        let plugins = scratch.directory + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        _ = try compileSharedObject(
            try String(contentsOfFile: Self.fixture, encoding: .utf8), name: "keeper", in: plugins,
            extraFlags: ["-Wall", "-Wextra", "-Werror", "-I", SDKTests.sdk + "/include"])
        let registry = PluginRegistry(
            directories: PluginDirectories(dataDirectory: scratch.directory, extra: [], environment: [:], besideExecutable: nil),
            keyValues: scratch.store.keyValues, logger: Logger(label: "test"))
        registry.scan()
        let plugin = try #require(registry.entry(named: "keeper")?.plugin)
        func function(_ name: String) throws -> Put {
            let address = try #require(plugin.functions.first { $0.name == name }?.address)
            return unsafeBitCast(address, to: Put.self)
        }
        let putWithKept = try function("put_with_kept_context")
        let putWithProcess = try function("put_with_process_context")
        func stored(_ key: String, tenant: String? = nil) throws -> Bool {
            let namespace = tenant.map { "plugin/keeper/tenant/\($0)" } ?? "plugin/keeper"
            return try scratch.store.keyValues.value(namespace: namespace, key: Array(key.utf8)) != nil
        }

        try registry.activate("keeper", tenantID: Self.tenant, settings: Array("{}".utf8))
        let outcome = registry.authorize(
            registry.hooks(forTenant: Self.tenant), tenantID: Self.tenant, requestID: "r1",
            .init(
                method: "GET", path: "/v1/collections", permission: "collections:read", subject: "ak_x", role: "viewer", collection: ""))
        // During its callback the hook's context works...
        #expect(outcome == .allowed)
        #expect(try stored("during", tenant: Self.tenant))
        // ...and once the callback has returned it is refused, and nothing is written.
        #expect(putWithKept() == Self.invalidState)
        #expect(try !stored("kept", tenant: Self.tenant))

        // The process-wide context works while the plugin is enabled, not once it is disabled.
        #expect(putWithProcess() == 0)
        try scratch.store.keyValues.delete(namespace: "plugin/keeper", key: Array("process".utf8))
        try registry.disable("keeper")
        #expect(putWithProcess() == Self.invalidState)
        #expect(try !stored("process"))
        try registry.enable("keeper")
        #expect(putWithProcess() == 0)
        registry.shutdown()
        #expect(putWithProcess() == Self.invalidState)
    }
}
