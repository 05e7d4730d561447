import AerolithStorage

/// Several nodes sharing one core store: a change to a plugin's state made on one node is
/// announced, and every other node makes its own state match what is recorded.
extension PluginRegistry {
    /// Calls `body` with a plugin's name after every change to its enabled state or its
    /// activations made through this registry (the change is recorded by then).
    /// The topic under which plugin changes are announced; the subject is the plugin's name.
    public static let changeTopic = "plugin"

    public func onChange(_ body: @escaping @Sendable (String) -> Void) {
        announcer.withLock { $0 = body }
    }

    func announce(_ name: String) {
        announcer.withLock { $0 }?(name)
    }

    /// Makes this node's state of plugin `name` what the core store records: enabled or
    /// disabled, and active for exactly the recorded tenants with their recorded settings.
    /// Records nothing itself. A plugin this node has not loaded is left alone (it is restored
    /// from the records when it loads).
    public func synchronize(_ name: String) {
        management.withLock { _ in
            guard let instance = state.withLock({ $0.current[name] }) else { return }
            let recorded: (enabled: Bool, activations: [String: [UInt8]])
            do throws(StorageError) {
                recorded = try store.recorded(name)
            } catch {
                logger.warning(
                    "cannot read the plugin's records; its state here stays as it is", metadata: ["plugin": "\(name)", "error": "\(error)"])
                return
            }
            let enabledHere = state.withLock { $0.enabled.contains(name) }
            let enabledStored = recorded.enabled
            if enabledStored != enabledHere {
                if enabledStored {
                    if let refusal = turnOn(instance) {
                        logger.error("the plugin failed to start", metadata: ["plugin": "\(name)", "reason": "\(refusal)"])
                    }
                } else {
                    turnOff(instance)
                }
                return
            }
            guard enabledHere else { return }
            var changed = false
            for tenantID in instance.activeTenants where instance.activation(tenantID)?.settings != recorded.activations[tenantID] {
                detach(instance, tenantID: tenantID)
                instance.deactivate(tenantID: tenantID, logger: logger)
                changed = true
            }
            for (tenantID, settings) in recorded.activations where instance.activation(tenantID) == nil {
                changed = true
                activateRecorded(instance, tenantID: tenantID, settings: settings)
            }
            if changed {
                publishTable()
                logger.info("synchronized plugin with the store", metadata: ["plugin": "\(name)"])
            }
        }
    }

    /// `synchronize` for every plugin this node has loaded.
    public func synchronizeAll() {
        for name in state.withLock({ Array($0.current.keys) }) { synchronize(name) }
    }
}
