import Foundation
import Synchronization

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

    /// Maps a private copy of `file` (see `OpenedPluginFile.privateCopy`) and resolves its entry
    /// symbol.
    ///
    /// The copy is opened as `/proc/self/fd/<n>`. Its descriptor stays open as long as the
    /// process, as the image stays mapped: the dynamic loader hands back an already-loaded image
    /// when asked for a name it has opened before, so no later copy may reuse that name.
    static func open(_ file: OpenedPluginFile) -> Result<(SharedObject, entry: UnsafeMutableRawPointer), PluginRefusal> {
        let copy: OpenedPluginFile.Descriptor
        switch file.privateCopy() {
        case .success(let made): copy = made
        case .failure(let refusal): return .failure(refusal)
        }
        let name = "/proc/self/fd/\(copy.value)"
        dlerror()
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(.loadFailed(message: message.replacingOccurrences(of: name, with: file.file.path)))
        }
        Self.mappedCopies.withLock { $0.append(copy) }
        let object = SharedObject(handle: handle, path: file.file.path)
        guard let entry = object.symbol(entrySymbol) else { return .failure(.noEntrySymbol) }
        return .success((object, entry))
    }

    /// The descriptors of every private copy mapped, kept open for the life of the process.
    private static let mappedCopies = Mutex<[OpenedPluginFile.Descriptor]>([])

    /// The address of an exported symbol, or nil.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlerror()
        return dlsym(handle, name)
    }
}

/// The process's working directory, for making relative plugin paths absolute.
enum FileManagerPath {
    static var current: String { FileManager.default.currentDirectoryPath }
}
