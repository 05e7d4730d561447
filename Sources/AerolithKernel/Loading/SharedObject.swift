#if canImport(Glibc)
import Glibc
#endif
import Foundation

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
    ///
    /// The dynamic loader returns an already-loaded image when asked for a name it has opened
    /// before, without looking at the file: a new version renamed over a loaded plugin's path
    /// would come back as the old image. So every file version is opened through a symbolic link
    /// named after its identity (device, inode, modification time, size), which the loader has
    /// never seen, in a private directory made for the purpose; both are removed once the image
    /// is mapped.
    public static func open(_ file: PluginFile) -> Result<(SharedObject, entry: UnsafeMutableRawPointer), PluginRefusal> {
        let target = file.path.hasPrefix("/") ? file.path : FileManagerPath.current + "/" + file.path
        var name = target
        let linkDirectory = privateDirectory()
        if let linkDirectory {
            let identity = file.identity
            let link = "\(linkDirectory)/\(identity.device)-\(identity.inode)-\(identity.modified)-\(identity.size)-"
                + (target.split(separator: "/").last.map(String.init) ?? "plugin.so")
            if symlink(target, link) == 0 { name = link }
        }
        defer {
            if name != target { unlink(name) }
            if let linkDirectory { rmdir(linkDirectory) }
        }
        dlerror()
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(.loadFailed(message: message.replacingOccurrences(of: name, with: file.path)))
        }
        let object = SharedObject(handle: handle, path: file.path)
        guard let entry = object.symbol(entrySymbol) else { return .failure(.noEntrySymbol) }
        return .success((object, entry))
    }

    /// A new directory only this process can use (mode 0700), or nil.
    private static func privateDirectory() -> String? {
        var template = Array("/tmp/aerolith-plugin-link-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!).map { String(cString: $0) } }
    }

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
