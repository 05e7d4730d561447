import CAerolithPluginABI

/// Turns a `Plugin` into the C descriptor the host reads, from inside `aerolith_plugin_init`.
///
/// A Swift plugin defines the entry symbol and hands over:
///
///     @_cdecl("aerolith_plugin_init")
///     public func aerolithPluginInit(_ host: UnsafeRawPointer?, _ descriptorOut: UnsafeMutableRawPointer?) -> Int32 {
///         AerolithPluginKit.initialize(myPlugin, host: host, descriptorOut: descriptorOut)
///     }
///
/// Everything the descriptor points to is allocated once and never freed: the host keeps it
/// until the plugin is unloaded, and a Swift image is never unloaded.
public enum AerolithPluginKit {
    /// The host functions bound to the plugin's process-wide context (no tenant, no request):
    /// for threads the plugin starts itself, and for state and metrics outside any callback.
    /// Set by `initialize`; valid until on_unload returns (see the header's aerolith_context).
    public static var pluginHost: Host? { processContext.map { Host(api: hostAPI, context: $0) } }

    public static func initialize(_ plugin: Plugin, host rawHost: UnsafeRawPointer?, descriptorOut rawOut: UnsafeMutableRawPointer?)
        -> Int32
    {
        guard let rawHost, let rawOut else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
        let host = rawHost.assumingMemoryBound(to: aerolith_host_init.self)
        guard host.pointee.abi.major == UInt16(AEROLITH_ABI_VERSION_MAJOR), let api = host.pointee.api else {
            return aerolith_status(AEROLITH_ERR_ABI_MISMATCH)
        }
        hostAPI = api
        processContext = host.pointee.plugin_context
        let needed = plugin.hooks.reduce(UInt64(0)) { $0 | (UInt64(1) << UInt64(kind($1.function))) }
        guard host.pointee.hook_kinds & needed == needed else {
            Boundary.write("this host lacks a hook kind \(plugin.name) needs", to: host.pointee.message)
            return aerolith_status(AEROLITH_ERR_UNSUPPORTED)
        }
        let descriptor = UnsafeMutablePointer<aerolith_plugin_descriptor>.allocate(capacity: 1)
        descriptor.initialize(to: aerolith_plugin_descriptor())
        descriptor.pointee.struct_size = UInt32(MemoryLayout<aerolith_plugin_descriptor>.size)
        descriptor.pointee.abi = aerolith_abi_version(major: UInt16(AEROLITH_ABI_VERSION_MAJOR), minor: UInt16(AEROLITH_ABI_VERSION_MINOR))
        descriptor.pointee.layout = layout
        descriptor.pointee.flags = plugin.reentrant ? UInt32(AEROLITH_PLUGIN_REENTRANT) : 0
        descriptor.pointee.name = Slices.permanent(plugin.name)
        descriptor.pointee.version = Slices.permanent(plugin.version)
        descriptor.pointee.build_id = Slices.permanent(plugin.buildID)
        descriptor.pointee.description = Slices.permanent(plugin.description)
        descriptor.pointee.user_data = Unmanaged.passRetained(PluginBox(plugin)).toOpaque()
        if plugin.onLoad != nil { descriptor.pointee.on_load = Trampolines.onLoad }
        if plugin.onConfigure != nil { descriptor.pointee.on_configure = Trampolines.onConfigure }
        if plugin.onActivate != nil || plugin.onDeactivate != nil {
            descriptor.pointee.on_activate = Trampolines.onActivate
            descriptor.pointee.on_deactivate = Trampolines.onDeactivate
        }
        if plugin.onUnload != nil { descriptor.pointee.on_unload = Trampolines.onUnload }
        let hooks = UnsafeMutablePointer<UnsafePointer<aerolith_hook_registration>?>.allocate(capacity: max(plugin.hooks.count, 1))
        for (index, hook) in plugin.hooks.enumerated() { hooks[index] = UnsafePointer(registration(hook)) }
        descriptor.pointee.hooks = UnsafePointer(hooks)
        descriptor.pointee.hook_count = plugin.hooks.count
        let functions = UnsafeMutablePointer<UnsafePointer<aerolith_function_export>?>.allocate(capacity: max(plugin.functions.count, 1))
        for (index, function) in plugin.functions.enumerated() { functions[index] = UnsafePointer(export(function)) }
        descriptor.pointee.functions = UnsafePointer(functions)
        descriptor.pointee.function_count = plugin.functions.count
        rawOut.assumingMemoryBound(to: UnsafePointer<aerolith_plugin_descriptor>?.self).pointee = UnsafePointer(descriptor)
        return aerolith_status(AEROLITH_OK)
    }

    static func kind(_ function: Hook.Function) -> Int32 {
        switch function {
        case .authorize: Int32(AEROLITH_HOOK_AUTHORIZE)
        case .beforeWrite: Int32(AEROLITH_HOOK_DOCUMENT_BEFORE_WRITE)
        case .afterWrite: Int32(AEROLITH_HOOK_DOCUMENT_AFTER_WRITE)
        case .events: Int32(AEROLITH_HOOK_EVENTS)
        case .authenticate: Int32(AEROLITH_HOOK_AUTHENTICATE)
        case .isolation: Int32(AEROLITH_HOOK_ISOLATION)
        case .route: Int32(AEROLITH_HOOK_ROUTE)
        }
    }

    private static func registration(_ hook: Hook) -> UnsafeMutablePointer<aerolith_hook_registration> {
        let registration = UnsafeMutablePointer<aerolith_hook_registration>.allocate(capacity: 1)
        registration.initialize(to: aerolith_hook_registration())
        registration.pointee.struct_size = UInt32(MemoryLayout<aerolith_hook_registration>.size)
        registration.pointee.kind = UInt32(kind(hook.function))
        registration.pointee.flags = hook.allTenants ? UInt32(AEROLITH_HOOK_FLAG_ALL_TENANTS) : 0
        registration.pointee.priority = hook.priority
        registration.pointee.name = Slices.permanent(hook.name)
        registration.pointee.user_data = Unmanaged.passRetained(HookBox(hook.function)).toOpaque()
        registration.pointee.run_before = permanentList(hook.runBefore)
        registration.pointee.run_before_count = hook.runBefore.count
        registration.pointee.run_after = permanentList(hook.runAfter)
        registration.pointee.run_after_count = hook.runAfter.count
        switch hook.function {
        case .authorize: registration.pointee.function.authorize = Trampolines.authorize
        case .beforeWrite: registration.pointee.function.before_write = Trampolines.beforeWrite
        case .afterWrite: registration.pointee.function.after_write = Trampolines.afterWrite
        case .events(let kinds, _):
            registration.pointee.function.events = Trampolines.events
            registration.pointee.event_mask = kinds.rawValue
            registration.pointee.event_payload_version = 1
        case .authenticate: registration.pointee.function.authenticate = Trampolines.authenticate
        case .isolation: registration.pointee.function.isolation = Trampolines.isolation
        case .route(let prefix, let permission, _):
            registration.pointee.function.route = Trampolines.route
            registration.pointee.route_prefix = Slices.permanent(prefix)
            registration.pointee.route_permission = Slices.permanent(permission.name)
        }
        return registration
    }

    private static func export(_ function: FunctionExport) -> UnsafeMutablePointer<aerolith_function_export> {
        let export = UnsafeMutablePointer<aerolith_function_export>.allocate(capacity: 1)
        export.initialize(to: aerolith_function_export())
        export.pointee.struct_size = UInt32(MemoryLayout<aerolith_function_export>.size)
        export.pointee.name = Slices.permanent(function.name)
        export.pointee.signature = Slices.permanent(function.signature)
        export.pointee.description = Slices.permanent(function.description)
        export.pointee.function = unsafeBitCast(function.address, to: aerolith_any_function.self)
        return export
    }

    private static func permanentList(_ names: [String]) -> UnsafePointer<aerolith_slice>? {
        guard !names.isEmpty else { return nil }
        let list = UnsafeMutablePointer<aerolith_slice>.allocate(capacity: names.count)
        for (index, name) in names.enumerated() { list[index] = Slices.permanent(name) }
        return UnsafePointer(list)
    }

    /// `AEROLITH_LAYOUT_INIT`, computed in Swift (the macro does not import).
    static var layout: aerolith_layout {
        var layout = aerolith_layout()
        layout.pointer_bytes = UInt8(MemoryLayout<UnsafeRawPointer>.size)
        layout.size_bytes = UInt8(MemoryLayout<Int>.size)
        layout.function_pointer_bytes = UInt8(MemoryLayout<@convention(c) () -> Void>.size)
        layout.int64_align_bytes = UInt8(MemoryLayout<Int64>.alignment)
        layout.double_align_bytes = UInt8(MemoryLayout<Double>.alignment)
        layout.byte_order = UInt8(1.littleEndian == 1 ? AEROLITH_BYTE_ORDER_LITTLE : AEROLITH_BYTE_ORDER_BIG)
        return layout
    }
}
