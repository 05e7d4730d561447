import CAerolithPlugin

/// A plugin the kernel accepted: its identity as the descriptor states it.
public struct LoadedPlugin: Sendable {
    public struct ExportedFunction: Sendable, Equatable {
        public let name: String
        public let signature: String
        public let description: String
        let parsedSignature: FunctionSignature
        /// The function's address in the mapped image, which is never unmapped.
        let address: UInt
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
    public let functions: [ExportedFunction]
}

/// The plugin's process-wide context (`aerolith_context`): which plugin a host call is for.
/// Allocated at load and never freed, as the image is never unmapped.
final class PluginContext: Sendable {
    let path: String
    init(path: String) { self.path = path }
    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }
}
