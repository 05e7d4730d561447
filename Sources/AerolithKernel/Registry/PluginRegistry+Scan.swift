import Logging
import Synchronization

/// Discovery: new files are loaded, replaced files take their predecessor's place.
extension PluginRegistry {
    /// Looks at every candidate file and acts on the new or changed ones, and forgets the refusals
    /// and replaced versions of files that are gone. Returns the entries it added. Safe to call
    /// at any time; the watcher calls it every second.
    @discardableResult
    public func scan() -> [Entry] {
        management.withLock { _ in
            var added: [Entry] = []
            let candidates = directories.candidateFiles()
            forgetRemoved(present: Set(candidates))
            for path in candidates {
                if let entry = consider(path) { added.append(entry) }
            }
            if !added.isEmpty { publishTable() }
            return added
        }
    }

    /// Drops what is only history of files no longer present: refusals and replaced versions.
    /// A loaded plugin stays listed: it keeps running from its mapped image. Caller holds `management`.
    private func forgetRemoved(present: Set<String>) {
        state.withLock { state in
            state.entries.removeAll { !present.contains($0.path) && ($0.instance == nil || $0.state == .replaced) }
            for path in state.seen.keys where !present.contains(path) { state.seen[path] = nil }
        }
    }

    /// Loads `path` if it is new or changed. Caller holds `management`.
    func consider(_ path: String) -> Entry? {
        let opened: OpenedPluginFile
        switch PluginFile.open(path) {
        case .success(let checked): opened = checked
        case .failure(let refusal): return recordRefusal(path: path, refusal)
        }
        let file = opened.file
        let (unchanged, sameImage) = state.withLock { state -> (Bool, PluginInstance?) in
            if state.seen[path] == file.identity { return (true, nil) }
            state.seen[path] = file.identity
            let image = state.current.values.first {
                $0.plugin.file.identity.device == file.identity.device && $0.plugin.file.identity.inode == file.identity.inode
            }
            return (false, image)
        }
        if unchanged { return nil }
        // Another path to a loaded file. A loaded file rewritten in place is a new version like
        // one renamed over it: the running version was mapped from a private copy, untouched.
        if let sameImage, sameImage.plugin.file.identity == file.identity { return nil }
        let plugin: LoadedPlugin
        switch PluginLoader.load(opened) {
        case .success(let loaded): plugin = loaded
        case .failure(let refusal): return recordRefusal(path: path, refusal)
        }
        let holder = state.withLock { $0.current[plugin.name] }
        if let taken = routePrefixTaken(by: plugin) { return recordRefusal(path: path, taken) }
        if let holder {
            guard holder.plugin.file.path == path else { return recordRefusal(path: path, .duplicateName(plugin.name)) }
            return replace(holder, with: plugin)
        }
        return install(plugin)
    }

    /// A refusal if `plugin` mounts a route prefix another plugin (not an older version of
    /// itself) already holds: one handler per prefix, and the first one keeps it.
    private func routePrefixTaken(by plugin: LoadedPlugin) -> PluginRefusal? {
        let others = state.withLock { state in state.current.values.filter { $0.name != plugin.name } }
        for hook in plugin.hooks where hook.kind == .route {
            if let owner = others.first(where: { $0.plugin.hooks.contains { $0.kind == .route && $0.routePrefix == hook.routePrefix } }) {
                return .invalidDescriptor(
                    "\(plugin.name): hook \(hook.name) mounts /v1/\(hook.routePrefix), which plugin \(owner.name) serves")
            }
        }
        return nil
    }

    /// Makes `plugin` the holder of its name: started and re-activated if it is enabled.
    private func install(_ plugin: LoadedPlugin) -> Entry? {
        let instance = makeInstance(plugin)
        let enabled = store.isEnabled(plugin.name)
        instance.acceptsHostCalls.store(enabled, ordering: .releasing)
        if enabled, case .failure(let refusal) = start(instance) {
            instance.acceptsHostCalls.store(false, ordering: .releasing)
            return recordRefusal(path: plugin.file.path, refusal)
        }
        if enabled { restoreActivations(instance) }
        let entry = Entry(path: plugin.file.path, state: enabled ? .enabled : .disabled, instance: instance)
        state.withLock { state in
            state.current[plugin.name] = instance
            if enabled { state.enabled.insert(plugin.name) } else { state.enabled.remove(plugin.name) }
            state.entries.removeAll { $0.path == entry.path && $0.instance == nil }
            state.entries.append(entry)
        }
        logger.notice(
            "loaded plugin",
            metadata: [
                "plugin": "\(plugin.name)", "version": "\(plugin.version)", "file": "\(entry.path)",
                "state": "\(entry.state.name)",
            ])
        return entry
    }

    /// Loads `plugin` beside `old` and swaps it in: the new version is started and activated for
    /// the old one's tenants first; only if all of that works does it take the old one's place
    /// (one table swap), after which the old one is drained, deactivated and unloaded.
    func replace(_ old: PluginInstance, with plugin: LoadedPlugin) -> Entry? {
        let instance = makeInstance(plugin)
        let enabled = state.withLock { $0.enabled.contains(old.name) }
        if enabled {
            instance.acceptsHostCalls.store(true, ordering: .releasing)
            if case .failure(let refusal) = start(instance) {
                instance.acceptsHostCalls.store(false, ordering: .releasing)
                return recordRefusal(path: plugin.file.path, refusal)
            }
            for activation in old.activations.withLock({ Array($0.values) }) {
                if let failure = instance.activate(tenantID: activation.tenantID, settings: activation.settings) {
                    instance.acceptsHostCalls.store(false, ordering: .releasing)
                    for tenant in instance.activeTenants { instance.deactivate(tenantID: tenant, logger: logger) }
                    instance.unload(logger: logger)
                    return recordRefusal(
                        path: plugin.file.path,
                        .initFailed(
                            status: failure.status,
                            message: "on_activate for \(activation.tenantID) failed, so the running version stays: \(failure.message)"))
                }
            }
        }
        let entry = Entry(path: plugin.file.path, state: enabled ? .enabled : .disabled, instance: instance)
        state.withLock { state in
            state.current[plugin.name] = instance
            for index in state.entries.indices where state.entries[index].instance === old { state.entries[index].state = .replaced }
            state.entries.removeAll { $0.path == entry.path && $0.instance == nil }
            state.entries.append(entry)
        }
        publishTable()
        // Also a disabled one: it may have been started before, and gets its on_unload now.
        retire(old)
        logger.notice(
            "replaced plugin",
            metadata: [
                "plugin": "\(plugin.name)", "old_version": "\(old.plugin.version)",
                "version": "\(plugin.version)", "file": "\(entry.path)",
            ])
        return entry
    }

    /// Drains a detached instance and runs its deactivate and unload callbacks. If calls are
    /// still running when a drain times out, on_unload is not called (the plugin may still be
    /// using what it would release): the instance stays mapped and started, and is logged.
    func retire(_ instance: PluginInstance) {
        instance.acceptsHostCalls.store(false, ordering: .releasing)
        var drained = instance.processGate.closeAndDrain(timeoutMilliseconds: PluginLimits.drainTimeMillisecondsMax)
        if !drained { logger.error("calls into the plugin did not finish in time", metadata: ["plugin": "\(instance.name)"]) }
        for tenant in instance.activeTenants where !instance.deactivate(tenantID: tenant, logger: logger) { drained = false }
        guard drained else {
            logger.error("the plugin is not unloaded: calls were still running", metadata: ["plugin": "\(instance.name)"])
            return
        }
        let started = state.withLock { $0.started.remove(ObjectIdentifier(instance)) != nil }
        if started { instance.unload(logger: logger) }
    }

    private func makeInstance(_ plugin: LoadedPlugin) -> PluginInstance {
        let order = state.withLock { state in
            state.loadCounter += 1
            return state.loadCounter
        }
        return PluginInstance(
            plugin: plugin, loadOrder: order, services: services,
            exportedMetricLabelKeys: settings.metricLabelValues[plugin.name] ?? [])
    }

    /// Runs on_load and on_configure once per instance.
    func start(_ instance: PluginInstance) -> Result<Void, PluginRefusal> {
        let already = state.withLock { $0.started.contains(ObjectIdentifier(instance)) }
        if already { return .success(()) }
        let result = instance.start(configuration: settings.configuration(for: instance.name))
        if case .success = result { state.withLock { _ = $0.started.insert(ObjectIdentifier(instance)) } }
        return result
    }

    /// Re-activates the tenants recorded for the plugin.
    func restoreActivations(_ instance: PluginInstance) {
        for (tenantID, settings) in store.activations(instance.name) {
            activateRecorded(instance, tenantID: tenantID, settings: settings)
        }
    }

    /// Activates a recorded activation; a failure is logged, the records stay as they are.
    func activateRecorded(_ instance: PluginInstance, tenantID: String, settings: [UInt8]) {
        guard let failure = instance.activate(tenantID: tenantID, settings: settings) else { return }
        logger.error(
            "a recorded activation failed",
            metadata: [
                "plugin": "\(instance.name)", "tenant": "\(tenantID)", "status": "\(failure.status)", "detail": "\(failure.message)",
            ])
    }

    /// Lists a refusal for `path`, replacing an earlier refusal of the same path. Logged only
    /// when it differs from the last one, so a rescan every second does not flood the log.
    private func recordRefusal(path: String, _ refusal: PluginRefusal) -> Entry? {
        let entry = Entry(path: path, state: .refused(refusal), instance: nil)
        let isNew = state.withLock { state -> Bool in
            let previous = state.entries.last { $0.path == path && $0.instance == nil }
            state.entries.removeAll { $0.path == path && $0.instance == nil }
            state.entries.append(entry)
            return previous?.state != entry.state
        }
        guard isNew else { return nil }
        logger.warning("refused plugin", metadata: ["file": "\(path)", "reason": "\(refusal.code)", "detail": "\(refusal)"])
        return entry
    }
}
