import AerolithStorage
import Foundation
import Logging
import Testing

@testable import AerolithKernel

/// The Swift kit's wrappers, through a plugin built with it (Tests/KitFixture, the product
/// `AerolithKitFixture`, built beside this test binary): exported functions, an isolation
/// strategy, a typed route permission, histograms, event_subscription_set, the process-wide
/// host, and on_unload — each observed through the kernel, as the server would drive them.
@Suite struct KitFixtureTests {
    static let tenant = "tn_aaaaaaaaaaaaaaaaaaaa"
    static let processNamespace = "plugin/kit-fixture"
    static let tenantNamespace = "plugin/kit-fixture/tenant/\(tenant)"

    /// `libAerolithKitFixture.so` next to the running test binary.
    static var library: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("libAerolithKitFixture.so").path
    }

    func value(_ store: any KeyValueStore, _ namespace: String, _ key: String) throws -> String? {
        try store.value(namespace: namespace, key: Array(key.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    func route(_ registry: PluginRegistry, _ path: String) throws -> [String: Any] {
        guard
            case .response(200, let body, _) = registry.route(
                prefix: "kit", tenantID: Self.tenant, requestID: "r1",
                .init(
                    method: "GET", path: path, query: "", headersJSON: Array("{}".utf8), body: [], subject: "ak_x", role: "viewer"))
        else {
            throw UnexpectedOutcome(detail: "GET /v1/kit\(path) did not answer 200")
        }
        return try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
    }

    @Test func kitPluginOffersEverythingTheKitWraps() throws {
        #expect(FileManager.default.fileExists(atPath: Self.library), "build the package first: \(Self.library)")
        let scratch = try ScratchStore()
        let plugins = scratch.directory + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.copyItem(atPath: Self.library, toPath: plugins + "/kit.so")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: plugins + "/kit.so")
        let registry = PluginRegistry(
            directories: PluginDirectories(dataDirectory: scratch.directory, extra: [], environment: [:], besideExecutable: nil),
            keyValues: scratch.store.keyValues, settings: PluginSettings(isolationStrategy: "kit-fixture/by-plan"),
            logger: Logger(label: "test"))
        registry.scan()
        let entry = try #require(registry.entry(named: "kit-fixture"))
        #expect(entry.state == .enabled, "\(entry.state)")
        let instance = try #require(entry.instance)
        let store = scratch.store.keyValues

        // The descriptor the kit built: hook kinds, the typed route permission, the function.
        #expect(instance.plugin.hooks.map(\.kind) == [.events, .isolation, .route])
        #expect(instance.plugin.hooks.first { $0.kind == .route }?.routePermission == .documentsRead)
        #expect(instance.plugin.functions.map(\.name) == ["multiply"])
        #expect(instance.plugin.functions.first?.signature == "i64(i64,i64)")
        // on_load reached the process-wide host.
        #expect(try value(store, Self.processNamespace, "loaded") == "yes")

        // The exported function, called by the host through libffi.
        #expect(try registry.call(plugin: "kit-fixture", function: "multiply", arguments: [.integer(6), .integer(-7)]) == .integer(-42))

        // The isolation strategy: a placement for provision and locate; remove gets the placement.
        let tenantJSON = Array(#"{"id":"\#(Self.tenant)","name":"A","plan":"starter","status":"active"}"#.utf8)
        #expect(
            registry.isolation(.provision, tenantID: Self.tenant, tenantJSON: tenantJSON)
                == .placement(database: "main", tablePrefix: "kit_aaaaaaaaaaaaaaaaaaaa"))
        #expect(
            registry.isolation(.locate, tenantID: Self.tenant, tenantJSON: tenantJSON)
                == .placement(database: "main", tablePrefix: "kit_aaaaaaaaaaaaaaaaaaaa"))
        #expect(
            registry.isolation(.remove, tenantID: Self.tenant, tenantJSON: tenantJSON, removing: ("main", "kit_gone"))
                == .placement(database: "", tablePrefix: ""))
        #expect(try value(store, Self.tenantNamespace, "removed") == "kit_gone")

        // Histograms go through the host, which checks the name.
        try registry.activate("kit-fixture", tenantID: Self.tenant, settings: Array("{}".utf8))
        let histogram = try route(registry, "/histogram")
        #expect(histogram["recorded"] as? Bool == true)
        #expect(histogram["bad_name_recorded"] as? Bool == false)

        // event_subscription_set: the subscription changes; an unknown hook is NOT_FOUND (2).
        publishTenantEvent(registry)
        #expect(try value(store, Self.tenantNamespace, "seen-2") == nil)
        let subscribed = try route(registry, "/subscribe")
        #expect(subscribed["missing_status"] as? String == "2")
        #expect(instance.subscriptions.withLock { $0["watch"]?.mask } == EventKind.tenant.rawValue | EventKind.document.rawValue)
        publishTenantEvent(registry)
        #expect(try value(store, Self.tenantNamespace, "seen-2") == "1")

        // on_unload, at shutdown.
        #expect(try value(store, Self.processNamespace, "unloaded") == nil)
        registry.shutdown()
        #expect(try value(store, Self.processNamespace, "unloaded") == "yes")
    }

    func publishTenantEvent(_ registry: PluginRegistry) {
        registry.publish(tenantID: Self.tenant, kind: .tenant, timeMilliseconds: 1) {
            Array(#"{"action":"suspended","tenant":{"id":"\#(Self.tenant)","name":"A","plan":"starter","status":"suspended"}}"#.utf8)
        }
        registry.events.waitUntilDelivered()
    }
}

struct UnexpectedOutcome: Error { let detail: String }
