import CAerolithPlugin

/// A plugin image the kernel accepted: its identity and everything its descriptor offers, read
/// and checked. Addresses point into the image, which is never unmapped.
public struct LoadedPlugin: Sendable {
    public struct ExportedFunction: Sendable, Equatable {
        public let name: String
        public let signature: String
        public let description: String
        let parsedSignature: FunctionSignature
        let address: UInt
    }

    /// The descriptor's lifecycle callbacks (0 when absent) and their user data.
    struct Lifecycle: Sendable {
        var userData: UInt = 0
        var onLoad: UInt = 0
        var onConfigure: UInt = 0
        var onActivate: UInt = 0
        var onDeactivate: UInt = 0
        var onUnload: UInt = 0
    }

    public let name: String
    public let version: String
    public let buildID: String
    public let description: String
    /// The ABI version the plugin was built against.
    public let abiMajor: UInt16
    public let abiMinor: UInt16
    public let reentrant: Bool
    public let file: PluginFile
    public let hooks: [HookRegistration]
    public let functions: [ExportedFunction]
    let lifecycle: Lifecycle
    /// The plugin's process-wide `aerolith_context` (a `CallContext`), allocated at load.
    let processContext: UInt
}
