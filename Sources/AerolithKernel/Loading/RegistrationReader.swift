import AerolithPermissions
import CAerolithPlugin

/// Reads and checks a plugin's hook registrations against the header's rules.
enum RegistrationReader {
    /// Bytes of a registration that must be present: up to and including `function`.
    static let requiredBytes = 40
    static let knownFlags = UInt32(AEROLITH_HOOK_FLAG_ALL_TENANTS)
    /// Prefixes under /v1 that the core API serves (or reserves); a plugin route cannot take them.
    static let reservedRoutePrefixes: Set<String> = [
        "tenants", "collections", "plugins", "batch", "usage", "signup", "auth", "me", "users", "roles", "keys",
        "health", "metrics", "openapi", "admin", "billing-core",
    ]

    static func read(_ descriptor: aerolith_plugin_descriptor, plugin name: String) -> Result<[HookRegistration], PluginRefusal> {
        var registrations: [HookRegistration] = []
        for index in 0..<descriptor.hook_count {
            guard let pointer = descriptor.hooks?[index] else { return .failure(.invalidDescriptor("\(name): hooks[\(index)] is NULL")) }
            let raw: aerolith_hook_registration
            switch StructReader.read(
                UnsafeRawPointer(pointer), as: aerolith_hook_registration.self,
                name: "aerolith_hook_registration", requiredBytes: requiredBytes)
            {
            case .success(let read): raw = read
            case .failure(let refusal): return .failure(refusal)
            }
            switch check(raw, index: index, plugin: name) {
            case .success(let registration):
                guard !registrations.contains(where: { $0.name == registration.name }) else {
                    return .failure(.invalidDescriptor("\(name): two hooks are named \"\(registration.name)\""))
                }
                if registration.kind == .route,
                    let taken = registrations.first(where: { $0.kind == .route && $0.routePrefix == registration.routePrefix })
                {
                    return .failure(
                        .invalidDescriptor(
                            "\(name): hooks \"\(taken.name)\" and \"\(registration.name)\" both mount /v1/\(registration.routePrefix)"))
                }
                registrations.append(registration)
            case .failure(let refusal): return .failure(refusal)
            }
        }
        return .success(registrations)
    }

    private static func check(_ raw: aerolith_hook_registration, index: Int, plugin: String) -> Result<HookRegistration, PluginRefusal> {
        func refuse(_ problem: String) -> Result<HookRegistration, PluginRefusal> {
            .failure(.invalidDescriptor("\(plugin): hooks[\(index)] \(problem)"))
        }
        guard let kind = HookKind(rawValue: raw.kind), HostInterface.supportedHookKinds & kind.bit != 0 else {
            return refuse("has hook kind \(raw.kind), which this host does not support")
        }
        guard raw.flags & ~knownFlags == 0, raw.reserved == 0 else {
            return refuse("has unknown flag bits \(raw.flags & ~knownFlags) or a non-zero reserved field")
        }
        let allTenants = raw.flags & UInt32(AEROLITH_HOOK_FLAG_ALL_TENANTS) != 0
        guard !allTenants || kind.isTenantScoped else { return refuse("sets ALL_TENANTS on the process-wide kind \(kind.name)") }
        guard let name = StructReader.text(raw.name, lengthBytesMax: Int(AEROLITH_HOOK_NAME_BYTES_MAX)),
            StructReader.isIdentifier(name, extra: [UInt8(ascii: "_"), UInt8(ascii: "-")])
        else {
            return refuse("needs a name of 1-\(AEROLITH_HOOK_NAME_BYTES_MAX) bytes of [a-z][a-z0-9_-]*")
        }
        // Every member of the union is a function pointer at offset 0: read it as an address.
        let function = withUnsafeBytes(of: raw.function) { $0.load(as: UInt.self) }
        guard function != 0 else { return refuse("(\(name)) has no function") }
        guard let runBefore = names(raw.run_before, count: raw.run_before_count),
            let runAfter = names(raw.run_after, count: raw.run_after_count)
        else {
            return refuse("(\(name)) has run_before/run_after lists that are too long, NULL or not plugin names")
        }
        var eventMask: UInt64 = 0
        var payloadVersion: UInt32 = 0
        if kind == .events {
            guard raw.event_mask & ~EventKind.allBits == 0 else { return refuse("(\(name)) subscribes to unknown event kinds") }
            guard raw.event_payload_version >= 1 else { return refuse("(\(name)) needs event_payload_version >= 1") }
            eventMask = raw.event_mask
            payloadVersion = raw.event_payload_version
        }
        var prefix = ""
        var permission: Permission?
        if kind == .route {
            guard let text = StructReader.text(raw.route_prefix, lengthBytesMax: Int(AEROLITH_ROUTE_PREFIX_BYTES_MAX)),
                StructReader.isIdentifier(text, extra: [UInt8(ascii: "-")])
            else {
                return refuse("(\(name)) needs a route_prefix of 1-\(AEROLITH_ROUTE_PREFIX_BYTES_MAX) bytes of [a-z][a-z0-9-]*")
            }
            guard !reservedRoutePrefixes.contains(text) else { return refuse("(\(name)) mounts /v1/\(text), which the core API serves") }
            guard
                let required = StructReader.text(raw.route_permission, lengthBytesMax: Int(AEROLITH_CODE_BYTES_MAX)).flatMap(
                    Permission.init)
            else {
                return refuse("(\(name)) needs a route_permission, one of \(Permission.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            prefix = text
            permission = required
        }
        return .success(
            HookRegistration(
                kind: kind, name: name, priority: raw.priority, allTenants: allTenants, runBefore: runBefore, runAfter: runAfter,
                eventMask: eventMask, eventPayloadVersion: payloadVersion, routePrefix: prefix, routePermission: permission,
                function: function, userData: UInt(bitPattern: raw.user_data)
            ))
    }

    private static func names(_ list: UnsafePointer<aerolith_slice>?, count: Int) -> [String]? {
        guard count >= 0, count <= Int(AEROLITH_ORDER_CONSTRAINTS_COUNT_MAX) else { return nil }
        guard count > 0 else { return [] }
        guard let list else { return nil }
        var names: [String] = []
        for index in 0..<count {
            guard let name = StructReader.text(list[index], lengthBytesMax: Int(AEROLITH_PLUGIN_NAME_BYTES_MAX)),
                StructReader.isIdentifier(name, extra: [UInt8(ascii: "-")])
            else { return nil }
            names.append(name)
        }
        return names
    }
}
