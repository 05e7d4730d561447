import AerolithStorage
import Logging
import Synchronization

/// The plugin kernel's one public object: every plugin file it has seen, the plugins' run-time
/// state, and the hook table requests are dispatched through.
///
/// Guarantees:
/// - One file (device and inode) is loaded at most once however many paths reach it; two
///   plugins never share a name (a new version replaces the old only through its own path, or
///   `reload`). A refused file is listed with its reason and never affects the server.
/// - Management (scan, enable, disable, reload, activate, deactivate) is serialised; dispatch
///   never waits for it: it reads the current table, swapped whole after every change.
/// - Disable and deactivate detach hooks first, then wait for in-flight calls, then call the
///   plugin's lifecycle callbacks, so no hook runs with state its plugin has freed.
public final class PluginRegistry: Sendable {
    public struct Entry: Sendable {
        public enum State: Sendable, Equatable {
            case enabled
            case disabled
            /// A newer version of the plugin took this one's place.
            case replaced
            case refused(PluginRefusal)

            public var name: String {
                switch self {
                case .enabled: "enabled"
                case .disabled: "disabled"
                case .replaced: "replaced"
                case .refused: "refused"
                }
            }
        }

        public let path: String
        public var state: State
        public let instance: PluginInstance?

        public var plugin: LoadedPlugin? { instance?.plugin }
    }

    struct State {
        var entries: [Entry] = []
        /// The identity last looked at per path: unchanged files are skipped on rescans.
        var seen: [String: PluginFile.Identity] = [:]
        /// Name → the instance that holds the name (enabled or disabled).
        var current: [String: PluginInstance] = [:]
        var enabled: Set<String> = []
        /// Instances whose on_load has run.
        var started: Set<ObjectIdentifier> = []
        var loadCounter = 0
    }

    public let directories: PluginDirectories
    public let settings: PluginSettings
    let logger: Logger
    let services: KernelServices
    let store: ActivationStore
    let events: EventBus
    let state = Mutex(State())
    /// Held for every management operation, never by dispatch.
    let management = Mutex(())
    private let currentTable = Mutex(HookTable.empty)
    /// Told the plugin's name after every enable, disable, activation or deactivation made here.
    let announcer = Mutex<(@Sendable (String) -> Void)?>(nil)

    public init(directories: PluginDirectories, keyValues: any KeyValueStore, settings: PluginSettings = PluginSettings(), logger: Logger) {
        self.directories = directories
        self.settings = settings
        self.logger = logger
        services = KernelServices(keyValues: keyValues, logger: logger)
        store = ActivationStore(keyValues: keyValues)
        events = EventBus(sequences: EventSequences(keyValues: keyValues, logger: logger))
    }

    /// The table dispatch reads; replaced whole, never mutated.
    var table: HookTable { currentTable.withLock { $0 } }

    public var entries: [Entry] { state.withLock { $0.entries } }

    /// The entry of the plugin currently holding `name`.
    public func entry(named name: String) -> Entry? {
        state.withLock { state in
            guard let instance = state.current[name] else { return nil }
            return state.entries.last { $0.instance === instance }
        }
    }

    /// The hooks to run for requests of `tenantID`.
    public func hooks(forTenant tenantID: String) -> TenantHooks { table.hooks(forTenant: tenantID) }

    /// Chain order by kind ("plugin/hook") and ordering warnings, for listings.
    public var chains: (order: [HookKind: [String]], warnings: [String]) {
        let table = table
        return (table.chains, table.warnings)
    }

    /// Rebuilds and swaps in the hook table from the enabled plugins. Caller holds `management`.
    func publishTable() {
        let enabled = state.withLock { state in state.enabled.compactMap { state.current[$0] }.sorted { $0.loadOrder < $1.loadOrder } }
        let table = HookTable.build(enabled: enabled, settings: settings)
        for warning in table.warnings where !self.table.warnings.contains(warning) {
            logger.warning("plugin hook order", metadata: ["detail": "\(warning)"])
        }
        currentTable.withLock { $0 = table }
    }

    /// Publishes an event to the events hooks of `tenantID` subscribed to its kind. Cheap when
    /// nobody subscribes.
    public func publish(tenantID: String, kind: EventKind, timeMilliseconds: Int64, payload: () -> [UInt8]) {
        let hooks = table.hooks(forTenant: tenantID)
        guard hooks.hasEvents else { return }
        events.publish(hooks.events, tenantID: tenantID, kind: kind, timeMilliseconds: timeMilliseconds, payload: payload())
    }

    /// Calls a loaded, enabled plugin's exported function; serialised unless it is reentrant.
    public func call(plugin name: String, function functionName: String, arguments: [FunctionValue]) throws -> FunctionValue {
        guard let entry = entry(named: name), let instance = entry.instance else { throw PluginControlError.notFound(name) }
        guard entry.state == .enabled else { throw PluginControlError(.pluginDisabled, "plugin \"\(name)\" is disabled") }
        guard let function = instance.plugin.functions.first(where: { $0.name == functionName }) else {
            throw PluginControlError(.functionNotFound, "plugin \"\(name)\" exports no function \"\(functionName.prefix(64))\"")
        }
        guard instance.processGate.enter() else { throw PluginControlError(.pluginDisabled, "plugin \"\(name)\" is being disabled") }
        defer { instance.processGate.leave() }
        let result: Result<FunctionValue, FunctionCallError> = instance.perform {
            Result { () throws(FunctionCallError) -> FunctionValue in
                try FunctionCaller.call(address: function.address, signature: function.parsedSignature, arguments: arguments)
            }
        }
        return try result.get()
    }
}
