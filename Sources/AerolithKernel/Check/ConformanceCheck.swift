import AerolithStorage
import Foundation
import Logging
import Synchronization

/// `aerolith plugin check FILE.so`: loads one plugin in isolation, the way the server would, and
/// exercises everything it declares — the file checks, ABI negotiation, the descriptor and its
/// tables, the lifecycle callbacks, and one call of every hook with sample input — reporting
/// pass or fail per item. State lives in a throwaway store in a temporary directory.
public enum ConformanceCheck {
    public struct Item: Sendable, Equatable {
        public let name: String
        public let passed: Bool
        public let detail: String
    }

    /// The tenant the hooks are called for.
    public static let sampleTenant = "tn_conformancecheck00000"

    public static func run(path given: String) -> [Item] {
        let path = PluginDirectories.absolute(given)
        var items: [Item] = []
        func record(_ name: String, _ passed: Bool, _ detail: String) { items.append(Item(name: name, passed: passed, detail: detail)) }
        let file: OpenedPluginFile
        switch PluginFile.open(path) {
        case .success(let opened):
            file = opened
            record("file", true, "a 64-bit ELF shared object with safe ownership and permissions")
        case .failure(let refusal):
            record("file", false, "\(refusal.code): \(refusal)")
            return items
        }
        let plugin: LoadedPlugin
        switch PluginLoader.load(file) {
        case .success(let loaded):
            plugin = loaded
            record(
                "abi", true,
                "built for ABI \(loaded.abiMajor).\(loaded.abiMinor); this host is \(HostInterface.abiMajor).\(HostInterface.abiMinor)")
            record(
                "descriptor", true,
                "\(loaded.name) \(loaded.version): \(loaded.hooks.count) hooks, \(loaded.functions.count) functions"
                    + (loaded.reentrant ? ", reentrant" : ", serialised"))
        case .failure(let refusal):
            record("abi and descriptor", false, "\(refusal.code): \(refusal)")
            return items
        }
        let directory = NSTemporaryDirectory() + "aerolith-check-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store: any DocumentStore
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            store = try SQLiteDocumentStore(directory: directory)
        } catch {
            record("scratch store", false, "cannot create a scratch store in \(directory): \(error)")
            return items
        }
        let isolation = plugin.hooks.first { $0.kind == .isolation }.map { plugin.name + "/" + $0.name }
        let registry = PluginRegistry(
            directories: PluginDirectories(dataDirectory: directory, extra: [], environment: [:], besideExecutable: nil),
            keyValues: store.keyValues, settings: PluginSettings(isolationStrategy: isolation),
            logger: Logger(label: "aerolith.check"))
        let instance = registry.adopt(plugin)
        switch registry.start(instance) {
        case .success:
            record(
                "on_load and on_configure", true,
                plugin.lifecycle.onLoad == 0 && plugin.lifecycle.onConfigure == 0 ? "none declared" : "returned OK")
        case .failure(let refusal):
            record("on_load and on_configure", false, "\(refusal)")
            return items
        }
        if let failure = instance.activate(tenantID: sampleTenant, settings: Array("{}".utf8)) {
            record("on_activate", false, "status \(failure.status): \(failure.message)")
            return items
        }
        record("on_activate", true, plugin.lifecycle.onActivate == 0 ? "none declared" : "returned OK for \(sampleTenant)")
        registry.publishTable()
        for hook in plugin.hooks {
            let (passed, detail) = SampleCalls.call(hook, plugin: plugin.name, registry: registry)
            record("hook \(hook.name) (\(hook.kind.name))", passed, detail)
        }
        for function in plugin.functions {
            record(
                "function \(function.name)", true,
                "signature \(function.signature) is valid (not called: it may expect particular arguments)")
        }
        instance.deactivate(tenantID: sampleTenant, logger: registry.logger)
        instance.unload(logger: registry.logger)
        record("on_deactivate and on_unload", true, "returned (their status is only logged)")
        return items
    }
}

extension PluginRegistry {
    /// Makes `plugin` the enabled holder of its name without reading any records: for checks.
    func adopt(_ plugin: LoadedPlugin) -> PluginInstance {
        let instance = PluginInstance(plugin: plugin, loadOrder: 1, services: services)
        instance.acceptsHostCalls.store(true, ordering: .releasing)
        state.withLock { state in
            state.current[plugin.name] = instance
            state.enabled.insert(plugin.name)
            state.entries.append(Entry(path: plugin.file.path, state: .enabled, instance: instance))
        }
        return instance
    }
}
