#if canImport(Glibc)
import Glibc
#endif

/// A candidate plugin file, checked before anything of it is loaded.
///
/// Guarantees: a file that passes `open` is a regular file holding a complete 64-bit ELF shared
/// object, owned by the server's user (or root) and not writable by group or others, in a
/// directory with the same properties. Symbolic links are resolved first and the file they lead
/// to is what is checked: its own directory, not the link's. The checks are made on the opened
/// descriptor, and what is loaded is a private copy read from that same descriptor
/// (`OpenedPluginFile`), so a file swapped after the checks is never executed. Its identity
/// (device and inode) lets the kernel load one file once however many paths lead to it.
public struct PluginFile: Sendable, Hashable {
    public struct Identity: Sendable, Hashable {
        public let device: UInt64
        public let inode: UInt64
        /// Changes when the file is replaced or rewritten; a new version is loaded beside the old.
        public let modified: Int64
        public let size: Int64

        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
            size = Int64(status.st_size)
        }
    }

    /// The path the file was found at (in a plugin directory).
    public let path: String
    /// Where it really is: `path` with symbolic links resolved.
    public let realPath: String
    public let identity: Identity

    /// Checks `path`; returns the file or the reason it is refused.
    public static func inspect(_ path: String) -> Result<PluginFile, PluginRefusal> {
        open(path).map(\.file)
    }

    /// Opens `path` once and checks what was opened: the descriptor and the descriptor of its
    /// real directory, never a path looked up again.
    static func open(_ path: String) -> Result<OpenedPluginFile, PluginRefusal> {
        guard let resolved = realpath(path, nil) else { return .failure(.loadFailed(message: "\(path) is not a readable regular file")) }
        let real = String(cString: resolved)
        free(resolved)
        let (directory, name) = split(real)
        let directoryDescriptor = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else { return .failure(.loadFailed(message: "cannot open the directory of \(path)")) }
        defer { close(directoryDescriptor) }
        // O_NOFOLLOW: the name was resolved; a link put there since is refused, not followed.
        // O_NONBLOCK: a FIFO under a plugin's name must not hang the scan.
        let descriptor = openat(directoryDescriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.loadFailed(message: "\(path) is not a readable regular file")) }
        let owned = OpenedPluginFile.Descriptor(descriptor)
        var status = stat()
        var directoryStatus = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, fstat(directoryDescriptor, &directoryStatus) == 0
        else {
            return .failure(.loadFailed(message: "\(path) is not a readable regular file"))
        }
        var checks = [(real, status.st_mode, status.st_uid), (directory, directoryStatus.st_mode, directoryStatus.st_uid)]
        // A link's own directory too: whoever can write there can point the link elsewhere.
        let listedDirectory = split(path).directory
        if listedDirectory != directory, let listed = directoryOwnership(listedDirectory) { checks.append(listed) }
        for (checked, mode, owner) in checks {
            if let refusal = ownershipRefusal(path: checked, mode: UInt32(mode), owner: UInt32(owner)) { return .failure(refusal) }
        }
        guard status.st_size <= PluginLimits.pluginFileSizeBytesMax else {
            return .failure(
                .loadFailed(
                    message: "\(path) is \(status.st_size) bytes, more than the \(PluginLimits.pluginFileSizeBytesMax) a plugin may be"))
        }
        if let refusal = ELFImage.refusal(descriptor: descriptor, sizeBytes: Int(status.st_size)) { return .failure(refusal) }
        return .success(OpenedPluginFile(file: PluginFile(path: path, realPath: real, identity: Identity(status)), descriptor: owned))
    }

    /// The directory and last component of an absolute or relative path.
    static func split(_ path: String) -> (directory: String, name: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let directory = parts.dropLast().joined(separator: "/")
        return (directory.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : directory, String(parts.last ?? ""))
    }

    private static func directoryOwnership(_ directory: String) -> (String, mode_t, uid_t)? {
        var status = stat()
        guard stat(directory, &status) == 0 else { return nil }
        return (directory, status.st_mode, status.st_uid)
    }

    static func ownershipRefusal(path: String, mode: UInt32, owner: UInt32) -> PluginRefusal? {
        if mode & UInt32(S_IWGRP | S_IWOTH) != 0 { return .unsafePermissions(path: path, mode: mode) }
        if owner != geteuid() && owner != 0 { return .wrongOwner(path: path, owner: owner) }
        return nil
    }
}
