import Dispatch
import Logging
import Synchronization

/// Run-time control: enable, disable, reload, per-tenant activation, shutdown. Every change is
/// recorded in the core store first, so it survives a restart.
extension PluginRegistry {
    public func enable(_ name: String) throws(PluginControlError) {
        try management.withLock { _ throws(PluginControlError) in
            guard let instance = state.withLock({ $0.current[name] }) else { throw PluginControlError.notFound(name) }
            guard !state.withLock({ $0.enabled.contains(name) }) else { return }
            try store.setEnabled(name, true)
            if let refusal = turnOn(instance) {
                try? store.setEnabled(name, false)
                throw PluginControlError(.activationFailed, "the plugin failed to start: \(refusal)")
            }
        }
        announce(name)
    }

    public func disable(_ name: String) throws(PluginControlError) {
        try management.withLock { _ throws(PluginControlError) in
            guard let instance = state.withLock({ $0.current[name] }) else { throw PluginControlError.notFound(name) }
            guard state.withLock({ $0.enabled.contains(name) }) else { return }
            try store.setEnabled(name, false)
            turnOff(instance)
        }
        announce(name)
    }

    /// Starts the instance, opens it to calls, restores its recorded activations and puts its
    /// hooks in the table. Nil when it runs; the refusal when it failed to start.
    func turnOn(_ instance: PluginInstance) -> PluginRefusal? {
        instance.acceptsHostCalls.store(true, ordering: .releasing)
        if case .failure(let refusal) = start(instance) {
            instance.acceptsHostCalls.store(false, ordering: .releasing)
            return refusal
        }
        instance.processGate.open()
        restoreActivations(instance)
        setState(instance, enabled: true)
        publishTable()
        logger.notice("enabled plugin", metadata: ["plugin": "\(instance.name)"])
        return nil
    }

    /// Takes the instance's hooks out of the table, waits for calls in flight, then lets the
    /// plugin free every tenant's state.
    func turnOff(_ instance: PluginInstance) {
        instance.acceptsHostCalls.store(false, ordering: .releasing)
        setState(instance, enabled: false)
        publishTable()
        if !instance.processGate.closeAndDrain(timeoutMilliseconds: PluginLimits.drainTimeMillisecondsMax) {
            logger.error("calls into the plugin did not finish in time", metadata: ["plugin": "\(instance.name)"])
        }
        for tenant in instance.activeTenants { instance.deactivate(tenantID: tenant, logger: logger) }
        logger.notice("disabled plugin", metadata: ["plugin": "\(instance.name)"])
    }

    /// Looks at the plugin's file again now: a new version is loaded beside the running one and
    /// takes its place. Returns the entry now holding the name (unchanged if the file is).
    public func reload(_ name: String) throws(PluginControlError) -> Entry {
        try management.withLock { _ throws(PluginControlError) -> Entry in
            guard let instance = state.withLock({ $0.current[name] }) else { throw PluginControlError.notFound(name) }
            _ = consider(instance.plugin.file.path)
            let holder = state.withLock { $0.current[name] }
            if holder === instance,
                let refused = state.withLock({ state in
                    state.entries.last { $0.path == instance.plugin.file.path && $0.instance == nil }
                }), case .refused(let refusal) = refused.state
            {
                throw PluginControlError(.reloadRefused, "the new file was refused and the running version stays: \(refusal)")
            }
            publishTable()
            return state.withLock { state in state.entries.last { $0.instance === holder }! }
        }
    }

    /// Activates the plugin for a tenant with its settings (a JSON object).
    public func activate(_ name: String, tenantID: String, settings: [UInt8]) throws(PluginControlError) {
        try management.withLock { _ throws(PluginControlError) in
            guard let instance = state.withLock({ $0.current[name] }) else { throw PluginControlError.notFound(name) }
            guard state.withLock({ $0.enabled.contains(name) }) else {
                throw PluginControlError(.pluginDisabled, "plugin \"\(name)\" is disabled; enable it first")
            }
            let previous = instance.activation(tenantID)?.settings
            if let previous {
                guard previous != settings else { return }
                // New settings: deactivate, then activate with them.
                detach(instance, tenantID: tenantID)
                instance.deactivate(tenantID: tenantID, logger: logger)
            }
            try store.recordActivation(name, tenantID: tenantID, settings: settings)
            if let failure = instance.activate(tenantID: tenantID, settings: settings) {
                // Leave the tenant as it was: active with its previous settings, or not active.
                if let previous, instance.activate(tenantID: tenantID, settings: previous) == nil {
                    try? store.recordActivation(name, tenantID: tenantID, settings: previous)
                } else {
                    try? store.removeActivation(name, tenantID: tenantID)
                }
                publishTable()
                throw PluginControlError(
                    .activationFailed, "on_activate returned \(failure.status)" + (failure.message.isEmpty ? "" : ": \(failure.message)"))
            }
            publishTable()
            logger.notice("activated plugin", metadata: ["plugin": "\(name)", "tenant": "\(tenantID)"])
        }
        announce(name)
    }

    /// Deactivates the plugin for a tenant; nothing happens if it was not active there.
    public func deactivate(_ name: String, tenantID: String) throws(PluginControlError) {
        try management.withLock { _ throws(PluginControlError) in
            guard let instance = state.withLock({ $0.current[name] }) else { throw PluginControlError.notFound(name) }
            try store.removeActivation(name, tenantID: tenantID)
            guard instance.activation(tenantID) != nil else { return }
            detach(instance, tenantID: tenantID)
            instance.deactivate(tenantID: tenantID, logger: logger)
            publishTable()
            logger.notice("deactivated plugin", metadata: ["plugin": "\(name)", "tenant": "\(tenantID)"])
        }
        announce(name)
    }

    /// Whether the plugin holding `name` is active for `tenantID`.
    public func isActive(_ name: String, tenantID: String) -> Bool {
        state.withLock { $0.current[name] }?.activation(tenantID) != nil
    }

    /// Deactivates every tenant and unloads every started plugin, at server shutdown.
    public func shutdown() {
        management.withLock { _ in
            // Every started instance: disabled ones are already deactivated and now get on_unload.
            let instances = state.withLock { state in Array(state.current.values) }
            state.withLock { $0.enabled.removeAll() }
            publishTable()
            for instance in instances { retire(instance) }
        }
    }

    /// Starts looking for new and replaced files every `PluginLimits.rescanIntervalMilliseconds`.
    public func startWatching() {
        scheduleScan(on: DispatchQueue(label: "aerolith.plugin-watch"))
    }

    private func scheduleScan(on queue: DispatchQueue) {
        queue.asyncAfter(deadline: .now() + .milliseconds(PluginLimits.rescanIntervalMilliseconds)) { [weak self] in
            guard let self else { return }
            self.scan()
            self.scheduleScan(on: queue)
        }
    }

    private func setState(_ instance: PluginInstance, enabled: Bool) {
        state.withLock { state in
            if enabled { state.enabled.insert(instance.name) } else { state.enabled.remove(instance.name) }
            for index in state.entries.indices where state.entries[index].instance === instance {
                state.entries[index].state = enabled ? .enabled : .disabled
            }
        }
    }

    /// Publishes a table in which `instance` is not active for `tenantID`, before its activation
    /// is torn down. (The activation is still recorded in the instance, so the table is built
    /// from a copy that leaves it out.)
    func detach(_ instance: PluginInstance, tenantID: String) {
        guard let activation = instance.activation(tenantID) else { return }
        // Closing the gate makes every bound copy of this activation skip its hooks at once.
        _ = activation.gate.closeAndDrain(timeoutMilliseconds: 0)
    }
}
