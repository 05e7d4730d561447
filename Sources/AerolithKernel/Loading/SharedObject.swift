#if canImport(Glibc)
import Glibc
#endif

/// A plugin image mapped into the process.
///
/// Loaded with `RTLD_NOW` (unresolved symbols are reported at load, not at first call),
/// `RTLD_LOCAL` (a plugin's symbols never satisfy another plugin's) and `RTLD_NODELETE`. It is
/// never `dlclose`d: a Swift image cannot be unloaded safely (the Swift runtime keeps its type
/// metadata registered), so "disabling" a plugin detaches its hooks and keeps the image mapped.
public final class SharedObject: Sendable {
    /// The frozen entry symbol every plugin exports.
    public static let entrySymbol = "aerolith_plugin_init"

    // A dlopen handle is an opaque token that the loader lets any thread use.
    private nonisolated(unsafe) let handle: UnsafeMutableRawPointer
    public let path: String

    private init(handle: UnsafeMutableRawPointer, path: String) {
        self.handle = handle
        self.path = path
    }

    /// Maps `file` and resolves its entry symbol.
    public static func open(_ file: PluginFile) -> Result<(SharedObject, entry: UnsafeMutableRawPointer), PluginRefusal> {
        dlerror()
        guard let handle = dlopen(file.path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(.loadFailed(message: message))
        }
        let object = SharedObject(handle: handle, path: file.path)
        guard let entry = object.symbol(entrySymbol) else { return .failure(.noEntrySymbol) }
        return .success((object, entry))
    }

    /// The address of an exported symbol, or nil.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlerror()
        return dlsym(handle, name)
    }
}
