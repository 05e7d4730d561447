#if canImport(Glibc)
import Glibc
#endif

/// A candidate plugin file, checked before anything of it is loaded.
///
/// Guarantees: a file that passes `inspect` is a regular file holding a 64-bit ELF shared
/// object, owned by the server's user (or root) and not writable by group or others, in a
/// directory with the same properties. Its identity (device and inode) lets the kernel load
/// one file once however many paths lead to it.
public struct PluginFile: Sendable, Hashable {
    public struct Identity: Sendable, Hashable {
        public let device: UInt64
        public let inode: UInt64
        /// Changes when the file is replaced or rewritten; a new version is loaded beside the old.
        public let modified: Int64
        public let size: Int64
    }

    public let path: String
    public let identity: Identity

    static let elfHeaderSizeBytes = 64
    static let sharedObjectType: UInt16 = 3

    /// Checks `path`; returns the file or the reason it is refused.
    public static func inspect(_ path: String) -> Result<PluginFile, PluginRefusal> {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            return .failure(.loadFailed(message: "\(path) is not a readable regular file"))
        }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        for (checked, mode, owner) in [(path, status.st_mode, status.st_uid)] + directoryStatus(directory.isEmpty ? "." : directory) {
            if let refusal = ownershipRefusal(path: checked, mode: UInt32(mode), owner: UInt32(owner)) { return .failure(refusal) }
        }
        if let refusal = elfRefusal(path) { return .failure(refusal) }
        let identity = Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino),
                                modified: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec),
                                size: Int64(status.st_size))
        return .success(PluginFile(path: path, identity: identity))
    }

    private static func directoryStatus(_ directory: String) -> [(String, mode_t, uid_t)] {
        var status = stat()
        guard stat(directory, &status) == 0 else { return [] }
        return [(directory, status.st_mode, status.st_uid)]
    }

    static func ownershipRefusal(path: String, mode: UInt32, owner: UInt32) -> PluginRefusal? {
        if mode & UInt32(S_IWGRP | S_IWOTH) != 0 { return .unsafePermissions(path: path, mode: mode) }
        if owner != geteuid() && owner != 0 { return .wrongOwner(path: path, owner: owner) }
        return nil
    }

    /// Reads the ELF identification and type: 0x7F 'E' 'L' 'F', class 2 (64-bit), type 3 (ET_DYN).
    static func elfRefusal(_ path: String) -> PluginRefusal? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .loadFailed(message: "cannot open \(path)") }
        defer { close(descriptor) }
        var header = [UInt8](repeating: 0, count: elfHeaderSizeBytes)
        let count = header.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, elfHeaderSizeBytes) }
        guard count >= 18, header[0] == 0x7F, header[1] == UInt8(ascii: "E"), header[2] == UInt8(ascii: "L"), header[3] == UInt8(ascii: "F") else {
            return .notELF
        }
        guard header[4] == (MemoryLayout<Int>.size == 8 ? 2 : 1) else { return .wrongClass }
        // e_type, in the file's byte order (EI_DATA: 1 little-endian, 2 big-endian).
        let type = header[5] == 2 ? UInt16(header[16]) << 8 | UInt16(header[17]) : UInt16(header[17]) << 8 | UInt16(header[16])
        guard type == sharedObjectType else { return .notSharedObject(elfType: type) }
        return nil
    }
}
