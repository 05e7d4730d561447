import AerolithStorage

/// The kernel's persistent records, in the core store's key-value table: whether each plugin is
/// enabled (absent: enabled), and the tenants it is active for with their settings. They are
/// read when a plugin is loaded, so activation survives restarts and version replacements.
struct ActivationStore: Sendable {
    let keyValues: any KeyValueStore

    static let pluginsNamespace = "kernel/plugins"
    static func activationsNamespace(_ plugin: String) -> String { "kernel/activations/" + plugin }
    static let disabledMarker = Array("disabled".utf8)
    static let enabledMarker = Array("enabled".utf8)

    func isEnabled(_ plugin: String) -> Bool {
        (try? keyValues.value(namespace: Self.pluginsNamespace, key: Array(plugin.utf8))) != Self.disabledMarker
    }

    func setEnabled(_ plugin: String, _ enabled: Bool) throws(PluginControlError) {
        do {
            try keyValues.put(
                namespace: Self.pluginsNamespace, key: Array(plugin.utf8), value: enabled ? Self.enabledMarker : Self.disabledMarker)
        } catch {
            throw PluginControlError(.storageFailure, "cannot record the plugin's state: \(error.message)")
        }
    }

    /// What is recorded for the plugin: enabled or not, and its activations. Throws when the
    /// store cannot be read, so a caller never mistakes an outage for "nothing recorded".
    func recorded(_ plugin: String) throws(StorageError) -> (enabled: Bool, activations: [String: [UInt8]]) {
        let enabled = try keyValues.value(namespace: Self.pluginsNamespace, key: Array(plugin.utf8)) != Self.disabledMarker
        var activations: [String: [UInt8]] = [:]
        for entry in try keyValues.entries(namespace: Self.activationsNamespace(plugin)) {
            activations[String(decoding: entry.key, as: UTF8.self)] = entry.value
        }
        return (enabled, activations)
    }

    /// Tenant id → settings (a JSON object), for every tenant the plugin is recorded active for.
    func activations(_ plugin: String) -> [(tenantID: String, settings: [UInt8])] {
        let entries = (try? keyValues.entries(namespace: Self.activationsNamespace(plugin))) ?? []
        return entries.map { (String(decoding: $0.key, as: UTF8.self), $0.value) }
    }

    func recordActivation(_ plugin: String, tenantID: String, settings: [UInt8]) throws(PluginControlError) {
        do {
            try keyValues.put(namespace: Self.activationsNamespace(plugin), key: Array(tenantID.utf8), value: settings)
        } catch {
            throw PluginControlError(.storageFailure, "cannot record the activation: \(error.message)")
        }
    }

    func removeActivation(_ plugin: String, tenantID: String) throws(PluginControlError) {
        do {
            try keyValues.delete(namespace: Self.activationsNamespace(plugin), key: Array(tenantID.utf8))
        } catch {
            throw PluginControlError(.storageFailure, "cannot remove the activation: \(error.message)")
        }
    }
}
