import Foundation
import Logging
import Synchronization
import Testing

@testable import AerolithKernel

/// Every hook kind dispatched to a real C plugin (Fixtures/hooks_plugin.c), with activation,
/// enable/disable, persistence across a restart of the registry, and version replacement.
@Suite struct HookDispatchTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hooks_plugin.c").path

    /// A plugin directory holding the fixture, and a store for the registry's records.
    final class World: @unchecked Sendable {
        // @unchecked: owned by one test.
        let scratch: ScratchStore
        let pluginDirectory: String

        init() throws {
            scratch = try ScratchStore()
            pluginDirectory = scratch.directory + "/plugins"
            try FileManager.default.createDirectory(
                atPath: pluginDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }

        /// Compiles the fixture to `name` in the plugin directory (via a temporary name and a
        /// rename, the way a new version must be installed).
        @discardableResult
        func install(_ name: String = "fixture", defines: [String] = []) throws -> String {
            let staging = scratch.directory + "/staging-\(UUID().uuidString)"
            try FileManager.default.createDirectory(
                atPath: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let built = try compileSharedObject(
                try String(contentsOfFile: HookDispatchTests.fixture, encoding: .utf8), name: name, in: staging,
                extraFlags: ["-Wall", "-Wextra", "-Werror", "-I", SDKTests.sdk + "/include"] + defines.map { "-D" + $0 })
            let target = pluginDirectory + "/\(name).so"
            guard rename(built, target) == 0 else { throw CompileFailure(name: name) }
            return target
        }

        func registry(_ settings: PluginSettings = PluginSettings()) -> PluginRegistry {
            PluginRegistry(
                directories: PluginDirectories(dataDirectory: scratch.directory, extra: [], environment: [:], besideExecutable: nil),
                keyValues: scratch.store.keyValues, settings: settings, logger: Logger(label: "test"))
        }
    }

    static let tenant = "tn_aaaaaaaaaaaaaaaaaaaa"
    static let other = "tn_bbbbbbbbbbbbbbbbbbbb"

    func authorize(_ registry: PluginRegistry, _ tenant: String, path: String) -> PluginRegistry.AuthorizeOutcome {
        registry.authorize(
            registry.hooks(forTenant: tenant), tenantID: tenant, requestID: "r1",
            .init(
                method: "GET", path: path, permission: "documents:read", subject: "ak_x", role: "viewer", collection: ""))
    }

    func write(_ registry: PluginRegistry, _ tenant: String, _ body: String) -> PluginRegistry.BeforeWriteOutcome {
        registry.beforeWrite(
            registry.hooks(forTenant: tenant), tenantID: tenant, requestID: "r1",
            .init(
                operation: .create, collection: "c", documentID: "d1", body: Array(body.utf8), previousVersion: 0, version: 0)
        ) { bytes in
            (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any]
        }
    }

    func report(_ registry: PluginRegistry, _ tenant: String?) throws -> [String: Any] {
        guard
            case .response(200, let body, _) = registry.route(
                prefix: "fixture", tenantID: tenant, requestID: "r1",
                .init(
                    method: "GET", path: "", query: "", headersJSON: Array("{}".utf8), body: [], subject: "ak_x", role: "admin"))
        else {
            throw CompileFailure(name: "route")
        }
        return try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
    }

    @Test func dispatchesOnlyToTenantsWhereActive() throws {
        let world = try World()
        try world.install()
        let registry = world.registry()
        registry.scan()
        #expect(registry.entry(named: "fixture")?.state == .enabled)
        // Loaded and enabled but active nowhere: tenant-scoped hooks do not run.
        #expect(authorize(registry, Self.tenant, path: "/v1/collections/secret") == .allowed)
        #expect(
            registry.route(
                prefix: "fixture", tenantID: Self.tenant, requestID: "",
                .init(
                    method: "GET", path: "", query: "", headersJSON: [], body: [], subject: "", role: "")) == .notActive)

        try registry.activate("fixture", tenantID: Self.tenant, settings: Array(#"{"tag":"blue"}"#.utf8))
        #expect(
            authorize(registry, Self.tenant, path: "/v1/collections/secret")
                == .denied(plugin: "fixture", message: "secret is closed by fixture"))
        #expect(authorize(registry, Self.tenant, path: "/v1/collections/open") == .allowed)
        #expect(authorize(registry, Self.other, path: "/v1/collections/secret") == .allowed)
        guard case .accepted(let stamped?) = write(registry, Self.tenant, #"{"a":1}"#) else {
            Issue.record("not transformed")
            return
        }
        #expect(String(decoding: stamped, as: UTF8.self) == #"{"stamped_by":"fixture","tag":"blue","a":1}"#)
        #expect(write(registry, Self.other, #"{"a":1}"#) == .accepted(transformed: nil))
        #expect(
            write(registry, Self.tenant, #"{"reject":true}"#)
                == .rejected(
                    plugin: "fixture", code: "rejected_by_fixture",
                    message: "the fixture rejects this document"))
        // After-write stores state in the tenant's namespace; the route reads it back.
        let failures = registry.afterWrite(
            registry.hooks(forTenant: Self.tenant), tenantID: Self.tenant, requestID: "r1",
            .init(
                operation: .create, collection: "c", documentID: "doc-7", body: Array("{}".utf8), previousVersion: 0, version: 1))
        #expect(failures.isEmpty)
        #expect(try report(registry, Self.tenant)["last_write"] as? String == "doc-7")
        // Events: all-tenant subscription, delivered asynchronously in order.
        for _ in 0..<3 { registry.publish(tenantID: Self.tenant, kind: .document, timeMilliseconds: 1) { Array("{}".utf8) } }
        registry.publish(tenantID: Self.other, kind: .tenant, timeMilliseconds: 1) { Array(#"{"action":"created"}"#.utf8) }
        registry.events.waitUntilDelivered()
        #expect(try report(registry, Self.tenant)["events_document"] as? Int == 3)
        #expect(try report(registry, Self.tenant)["event_keys"] as? [String] == ["events/document"])

        // Disabled: every hook is detached at once; enabled: the activation comes back.
        try registry.disable("fixture")
        #expect(authorize(registry, Self.tenant, path: "/v1/collections/secret") == .allowed)
        #expect(registry.mountedRoute("fixture") == nil)
        try registry.enable("fixture")
        #expect(authorize(registry, Self.tenant, path: "/v1/collections/secret") != .allowed)
        try registry.deactivate("fixture", tenantID: Self.tenant)
        #expect(authorize(registry, Self.tenant, path: "/v1/collections/secret") == .allowed)
        #expect(registry.isActive("fixture", tenantID: Self.tenant) == false)
    }

    @Test func processWideHooksAuthenticationAndIsolation() throws {
        let world = try World()
        try world.install()
        let registry = world.registry(PluginSettings(isolationStrategy: "fixture/prefix"))
        registry.scan()
        func authenticate(_ credentials: String) -> PluginRegistry.AuthenticateOutcome {
            registry.authenticate(
                requestID: "r", .init(scheme: "Bearer", credentials: credentials, method: "GET", path: "/", headersJSON: Array("{}".utf8)))
        }
        #expect(authenticate("something-else") == .passed)
        #expect(authenticate("fixture:reject") == .rejected(plugin: "fixture", message: "the fixture rejects this credential"))
        guard case .authenticated("fixture", let claims) = authenticate("fixture:\(Self.tenant):viewer") else {
            Issue.record("no claims")
            return
        }
        #expect(String(decoding: claims, as: UTF8.self) == #"{"subject":"sso-user","tenant_id":"\#(Self.tenant)","role":"viewer"}"#)
        #expect(registry.isolationStrategy == "fixture/prefix")
        #expect(
            registry.isolation(.provision, tenantID: Self.tenant, tenantJSON: Array("{}".utf8))
                == .placement(database: "main", tablePrefix: "iso_aaaaaaaaaaaaaaaaaaaa"))
        try registry.disable("fixture")
        #expect(authenticate("fixture:reject") == .passed)
        // The selected strategy is gone: no placement is guessed.
        #expect(
            registry.isolation(.locate, tenantID: Self.tenant, tenantJSON: [])
                == .unavailable("the isolation strategy fixture/prefix is not loaded and enabled"))
    }

    @Test func enabledStateAndActivationsSurviveARestart() throws {
        let world = try World()
        try world.install()
        do {
            let registry = world.registry()
            registry.scan()
            try registry.activate("fixture", tenantID: Self.tenant, settings: Array("{}".utf8))
            try registry.activate("fixture", tenantID: Self.other, settings: Array("{}".utf8))
            try registry.deactivate("fixture", tenantID: Self.other)
            registry.shutdown()
        }
        let restarted = world.registry()
        restarted.scan()
        #expect(restarted.isActive("fixture", tenantID: Self.tenant))
        #expect(!restarted.isActive("fixture", tenantID: Self.other))
        #expect(authorize(restarted, Self.tenant, path: "/v1/collections/secret") != .allowed)
        try restarted.disable("fixture")
        restarted.shutdown()
        let again = world.registry()
        again.scan()
        #expect(again.entry(named: "fixture")?.state == .disabled)
        #expect(authorize(again, Self.tenant, path: "/v1/collections/secret") == .allowed)
        #expect(throws: PluginControlError.self) { try again.activate("fixture", tenantID: Self.other, settings: Array("{}".utf8)) }
    }

    @Test func aNewVersionTakesTheOldOnesPlaceAlsoWhenWrittenInPlace() throws {
        let world = try World()
        let path = try world.install()
        let registry = world.registry()
        registry.scan()
        try registry.activate("fixture", tenantID: Self.tenant, settings: Array(#"{"tag":"v1"}"#.utf8))
        try world.install(defines: [#"PLUGIN_VERSION="2.0.0""#])
        registry.scan()
        let entry = registry.entry(named: "fixture")
        #expect(entry?.plugin?.version == "2.0.0" && entry?.state == .enabled)
        #expect(registry.entries.filter { $0.state == .replaced }.map { $0.plugin?.version } == ["1.0.0"])
        // The new version took over the activation, with its settings.
        guard case .accepted(let stamped?) = write(registry, Self.tenant, #"{"a":1}"#) else {
            Issue.record("not active")
            return
        }
        #expect(String(decoding: stamped, as: UTF8.self).contains(#""tag":"v1""#))
        // Reloading an unchanged file changes nothing.
        #expect(try registry.reload("fixture").plugin?.version == "2.0.0")
        // Writing into the loaded file (truncate and write, as `make` or `cp` do) cannot touch the
        // running code, which was mapped from a private copy: the hooks keep working, and the
        // rewritten file is simply the next version.
        let staged = try world.install("staged", defines: [#"PLUGIN_VERSION="3.0.0""#])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: staged))
        try FileManager.default.removeItem(atPath: staged)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 0)
        guard case .accepted(let during?) = write(registry, Self.tenant, #"{"a":2}"#) else {
            Issue.record("hooks stopped")
            return
        }
        #expect(String(decoding: during, as: UTF8.self).contains(#""tag":"v1""#))
        registry.scan()
        #expect(registry.entries.last?.state == .refused(.notELF))
        try handle.write(contentsOf: bytes)
        try handle.close()
        registry.scan()
        #expect(registry.entry(named: "fixture")?.plugin?.version == "3.0.0")
        guard case .accepted(let after?) = write(registry, Self.tenant, #"{"a":3}"#) else {
            Issue.record("not active")
            return
        }
        #expect(String(decoding: after, as: UTF8.self).contains(#""tag":"v1""#))
        #expect(authorize(registry, Self.tenant, path: "/v1/collections/secret") != .allowed)
        registry.shutdown()
    }

    @Test func checksThatCannotRunRefuseInsteadOfAllowing() throws {
        let world = try World()
        try world.install()
        let registry = world.registry()
        registry.scan()
        try registry.activate("fixture", tenantID: Self.tenant, settings: Array(#"{"tag":"a"}"#.utf8))
        #expect(authorize(registry, Self.tenant, path: "/v1/collections/secret") != .allowed)
        // As while the tenant is re-activated with new settings: the published table still holds
        // the activation, whose gate is closed.
        let activation = try #require(registry.entry(named: "fixture")?.instance?.activation(Self.tenant))
        #expect(activation.gate.closeAndDrain(timeoutMilliseconds: 0))
        for path in ["/v1/collections/secret", "/v1/collections/open"] {
            guard case .failed(let failure) = authorize(registry, Self.tenant, path: path) else {
                Issue.record("\(path) was not refused")
                continue
            }
            #expect(failure.plugin == "fixture" && failure.status == 7)
        }
        guard case .failed(let failure) = write(registry, Self.tenant, #"{"a":1}"#) else {
            Issue.record("the write was not refused")
            return
        }
        #expect(failure.status == 7)
        activation.gate.open()
        #expect(authorize(registry, Self.tenant, path: "/v1/collections/open") == .allowed)

        // Re-activated with new settings again and again while requests arrive: never an allow.
        final class Counts: Sendable {
            let done = Atomic(false)
            let allowed = Atomic(0)
        }
        let counts = Counts()
        let requests = Thread {
            while !counts.done.load(ordering: .relaxed) {
                if authorize(registry, Self.tenant, path: "/v1/collections/secret") == .allowed {
                    counts.allowed.add(1, ordering: .relaxed)
                }
            }
        }
        requests.start()
        for round in 0..<200 { try registry.activate("fixture", tenantID: Self.tenant, settings: Array(#"{"tag":"t\#(round)"}"#.utf8)) }
        counts.done.store(true, ordering: .relaxed)
        while !requests.isFinished { usleep(1_000) }
        #expect(counts.allowed.load(ordering: .relaxed) == 0)
        registry.shutdown()
    }

    @Test func aFailingConfigurationRefusesThePlugin() throws {
        let world = try World()
        try world.install()
        let registry = world.registry(PluginSettings(configuration: ["fixture": Array(#"{"fail_configure":true}"#.utf8)]))
        registry.scan()
        #expect(registry.entry(named: "fixture") == nil)
        #expect(registry.entries.first?.state == .refused(.initFailed(status: 8, message: "on_configure: configuration asked to fail")))
    }
}
