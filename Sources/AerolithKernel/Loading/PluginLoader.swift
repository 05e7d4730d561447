import CAerolithPlugin

/// Loads one plugin file: maps it, negotiates the ABI through `aerolith_plugin_init`, checks the
/// descriptor it returns against the header's rules, and runs its `on_load`.
///
/// Every failure is a `PluginRefusal`; nothing a plugin hands over is trusted before it is
/// checked (sizes, zero tails, names, counts, capabilities).
public enum PluginLoader {
    /// Bytes of a descriptor that must be present: up to and including `version`.
    static let descriptorRequiredBytes = 56
    /// Bytes of a function export that must be present: up to and including `function`.
    static let functionExportRequiredBytes = 48
    static let knownPluginFlags = UInt32(AEROLITH_PLUGIN_REENTRANT | AEROLITH_PLUGIN_UNLOADABLE)

    /// Maps a private copy of `opened`, calls its entry symbol and checks what it returns. Calls no lifecycle
    /// callback: the registry decides whether the plugin may start (its name may be taken) and
    /// then runs `on_load` through `PluginInstance.start`.
    static func load(_ opened: OpenedPluginFile) -> Result<LoadedPlugin, PluginRefusal> {
        let file = opened.file
        // The image stays mapped after `SharedObject` goes (RTLD_NODELETE, never dlclosed).
        let entry: UnsafeMutableRawPointer
        switch SharedObject.open(opened) {
        case .success(let opened): entry = opened.entry
        case .failure(let refusal): return .failure(refusal)
        }
        let initialize = unsafeBitCast(entry, to: aerolith_plugin_init_fn.self)
        let context = CallContext.allocateProcessWide()
        var descriptorPointer: UnsafePointer<aerolith_plugin_descriptor>?
        let (status, message) = HostBuffers.with(capacityBytes: Int(AEROLITH_MESSAGE_BYTES_MAX)) { message in
            let status: aerolith_status = withHostInit(path: file.path, context: context, message: HostBuffers.opaque(message)) { host in
                initialize(host, &descriptorPointer)
            }
            return (status, message.pointee.text)
        }
        guard status == aerolith_status(AEROLITH_OK) else {
            return .failure(
                status == aerolith_status(AEROLITH_ERR_ABI_MISMATCH)
                    ? .abiMismatch(differences: [
                        message.isEmpty ? "the plugin refused this host's ABI \(HostInterface.abiMajor).\(HostInterface.abiMinor)" : message
                    ])
                    : .initFailed(status: status, message: message))
        }
        guard let descriptorPointer else { return .failure(.invalidDescriptor("aerolith_plugin_init returned OK without a descriptor")) }
        let descriptor: aerolith_plugin_descriptor
        switch StructReader.read(
            UnsafeRawPointer(descriptorPointer), as: aerolith_plugin_descriptor.self,
            name: "aerolith_plugin_descriptor", requiredBytes: descriptorRequiredBytes)
        {
        case .success(let read): descriptor = read
        case .failure(let refusal): return .failure(refusal)
        }
        var differences = HostInterface.layoutDifferences(descriptor.layout)
        if descriptor.abi.major != HostInterface.abiMajor {
            differences.insert("abi major: plugin \(descriptor.abi.major), host \(HostInterface.abiMajor)", at: 0)
        }
        guard differences.isEmpty else { return .failure(.abiMismatch(differences: differences)) }
        return validate(descriptor, file: file, context: context)
    }

    private static func validate(
        _ descriptor: aerolith_plugin_descriptor, file: PluginFile,
        context: UnsafeMutablePointer<CallContext>
    ) -> Result<LoadedPlugin, PluginRefusal> {
        guard let name = StructReader.text(descriptor.name, lengthBytesMax: Int(AEROLITH_PLUGIN_NAME_BYTES_MAX)),
            StructReader.isIdentifier(name, extra: [UInt8(ascii: "-")])
        else {
            return .failure(.invalidDescriptor("name must be 1-\(AEROLITH_PLUGIN_NAME_BYTES_MAX) bytes of [a-z][a-z0-9-]*"))
        }
        guard let version = StructReader.text(descriptor.version, lengthBytesMax: Int(AEROLITH_PLUGIN_VERSION_BYTES_MAX)),
            isSemanticVersion(version)
        else {
            return .failure(.invalidDescriptor("\(name): version must be 1-\(AEROLITH_PLUGIN_VERSION_BYTES_MAX) bytes of semver text"))
        }
        guard let buildID = StructReader.text(descriptor.build_id, lengthBytesMax: Int(AEROLITH_BUILD_ID_BYTES_MAX)),
            let description = StructReader.text(descriptor.description, lengthBytesMax: Int(AEROLITH_DESCRIPTION_BYTES_MAX))
        else {
            return .failure(.invalidDescriptor("\(name): build_id or description is too long or not UTF-8"))
        }
        guard descriptor.layout.reserved.0 == 0, descriptor.layout.reserved.1 == 0 else {
            return .failure(.invalidDescriptor("\(name): the layout fingerprint's reserved bytes are not zero"))
        }
        guard descriptor.flags & ~knownPluginFlags == 0, descriptor.reserved == 0 else {
            return .failure(
                .invalidDescriptor("\(name): unknown flag bits \(descriptor.flags & ~knownPluginFlags) or a non-zero reserved field"))
        }
        guard descriptor.hook_count >= 0, descriptor.hook_count <= Int(AEROLITH_HOOKS_PER_PLUGIN_COUNT_MAX),
            descriptor.hook_count == 0 || descriptor.hooks != nil
        else {
            return .failure(.invalidDescriptor("\(name): hook_count must be 0-\(AEROLITH_HOOKS_PER_PLUGIN_COUNT_MAX) with a hooks array"))
        }
        let hooks: [HookRegistration]
        switch RegistrationReader.read(descriptor, plugin: name) {
        case .success(let read): hooks = read
        case .failure(let refusal): return .failure(refusal)
        }
        var functions: [LoadedPlugin.ExportedFunction] = []
        guard descriptor.function_count >= 0, descriptor.function_count <= Int(AEROLITH_FUNCTIONS_PER_PLUGIN_COUNT_MAX),
            descriptor.function_count == 0 || descriptor.functions != nil
        else {
            return .failure(
                .invalidDescriptor("\(name): function_count must be 0-\(AEROLITH_FUNCTIONS_PER_PLUGIN_COUNT_MAX) with a functions array"))
        }
        for index in 0..<descriptor.function_count {
            guard let pointer = descriptor.functions?[index] else {
                return .failure(.invalidDescriptor("\(name): functions[\(index)] is NULL"))
            }
            let export: aerolith_function_export
            switch StructReader.read(
                UnsafeRawPointer(pointer), as: aerolith_function_export.self,
                name: "aerolith_function_export", requiredBytes: functionExportRequiredBytes)
            {
            case .success(let read): export = read
            case .failure(let refusal): return .failure(refusal)
            }
            guard let functionName = StructReader.text(export.name, lengthBytesMax: Int(AEROLITH_FUNCTION_NAME_BYTES_MAX)),
                StructReader.isIdentifier(functionName, extra: [UInt8(ascii: "_")], firstMayBe: [UInt8(ascii: "_")]),
                let signature = StructReader.text(export.signature, lengthBytesMax: FunctionSignature.textLengthBytesMax),
                let parsed = FunctionSignature(signature),
                let function = export.function, export.reserved == 0
            else {
                return .failure(
                    .invalidDescriptor("\(name): functions[\(index)] needs a name [a-z_][a-z0-9_]*, a valid signature and a function"))
            }
            functions.append(
                .init(
                    name: functionName, signature: signature,
                    description: StructReader.text(export.description, lengthBytesMax: Int(AEROLITH_DESCRIPTION_BYTES_MAX)) ?? "",
                    parsedSignature: parsed, address: UInt(bitPattern: unsafeBitCast(function, to: Int.self))))
        }
        return .success(
            LoadedPlugin(
                name: name, version: version, buildID: buildID, description: description,
                abiMajor: descriptor.abi.major, abiMinor: descriptor.abi.minor,
                reentrant: descriptor.flags & UInt32(AEROLITH_PLUGIN_REENTRANT) != 0, file: file,
                hooks: hooks, functions: functions, lifecycle: lifecycle(descriptor),
                processContext: UInt(bitPattern: context)))
    }

    /// MAJOR.MINOR.PATCH with optional -prerelease and +build (semver 2.0, loosely: the
    /// identifiers' characters, not their every rule).
    static func isSemanticVersion(_ text: String) -> Bool {
        let core = text.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return false
        }
        return text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    private static func lifecycle(_ descriptor: aerolith_plugin_descriptor) -> LoadedPlugin.Lifecycle {
        func address<F>(_ function: F?) -> UInt { function.map { unsafeBitCast($0, to: UInt.self) } ?? 0 }
        return LoadedPlugin.Lifecycle(
            userData: UInt(bitPattern: descriptor.user_data), onLoad: address(descriptor.on_load),
            onConfigure: address(descriptor.on_configure), onActivate: address(descriptor.on_activate),
            onDeactivate: address(descriptor.on_deactivate), onUnload: address(descriptor.on_unload))
    }

    /// Runs `body` with a host init struct whose borrowed parts live for the call. The
    /// process-wide context it hands over is bound to the plugin once it is accepted; until
    /// then host functions called with it only log.
    private static func withHostInit<T>(
        path: String, context: UnsafeMutablePointer<CallContext>, message: OpaquePointer, _ body: (UnsafePointer<aerolith_host_init>) -> T
    ) -> T {
        SliceText.with(AerolithKernelVersion.host) { version in
            SliceText.with(path) { pathSlice in
                var host = aerolith_host_init()
                host.struct_size = UInt32(MemoryLayout<aerolith_host_init>.size)
                host.abi = aerolith_abi_version(major: HostInterface.abiMajor, minor: HostInterface.abiMinor)
                host.layout = HostInterface.layout
                host.hook_kinds = HostInterface.supportedHookKinds
                host.event_kinds = EventKind.allBits
                host.host_functions = HostInterface.implementedHostFunctions
                host.api = UnsafePointer(HostInterface.apiTable)
                host.plugin_context = OpaquePointer(context)
                host.message = message
                host.host_version = version
                host.plugin_path = pathSlice
                return CurrentCall.with(OpaquePointer(context)) { withUnsafePointer(to: &host) { body($0) } }
            }
        }
    }
}

/// The server version reported to plugins in `aerolith_host_init.host_version`.
public enum AerolithKernelVersion {
    public static let host = "0.1.0"
}
