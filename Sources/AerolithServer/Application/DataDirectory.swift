import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Why the server will not use a data directory; `code` is stable and printed at startup.
public struct DataDirectoryError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Not a directory, or it cannot be locked.
        case invalid = "invalid_data_dir"
        /// It, or the parent it would be created in, cannot be written by this process
        /// (permissions, or a read-only file system).
        case notWritable = "data_dir_not_writable"
        /// Group or others may read or write it (it holds the admin key and every tenant's data).
        case insecure = "data_dir_insecure"
        /// Another server process holds it.
        case locked = "data_dir_locked"
    }

    public let code: Code
    public let message: String

    public var description: String { "\(code.rawValue): \(message)" }
}

/// The data directory: created private (0700), refused when others can reach it, and held by
/// one server process at a time.
///
/// Two servers on one directory would each cache keys, tenants and plugin states the other
/// changes (a key revoked on one still accepted by the other), so a server takes an exclusive
/// `flock` on `aerolith.lock` inside it, holding its pid, for as long as the process lives.
public enum DataDirectory {
    static let lockFileName = "aerolith.lock"
    /// The database and the files SQLite keeps beside it.
    static let databaseFileNames = ["aerolith.db", "aerolith.db-wal", "aerolith.db-shm", "aerolith.db-journal"]
    static let directoryMode: mode_t = 0o700
    /// The mode bits that make a directory reachable by someone other than its owner.
    static let sharedModeBits: mode_t = 0o077
    /// The longest pid text read back from a held lock file, in bytes.
    static let lockFilePIDLengthBytesMax = 32
    private static let fileTypeBits: mode_t = 0o170000
    private static let directoryType: mode_t = 0o040000

    /// Lock descriptors held by this process, by directory: kept open (and so locked) until
    /// the process exits, and so a second application in one process is refused too.
    private static let held = Mutex<[String: Int32]>([:])

    static func prepare(_ path: String, allowInsecure: Bool, logger: Logger) throws {
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & fileTypeBits == directoryType else {
                throw DataDirectoryError(code: .invalid, message: "\(path) is not a directory")
            }
            let shared = status.st_mode & sharedModeBits
            if shared != 0 {
                let detail =
                    "the data directory \(path) has mode \(String(status.st_mode & 0o777, radix: 8)): group or others can reach the admin key and every tenant's data; run chmod 700 \(path)"
                guard allowInsecure else {
                    throw DataDirectoryError(code: .insecure, message: detail + ", or start with --allow-insecure-data-dir")
                }
                logger.warning("data_dir_insecure: \(detail) (allowed by --allow-insecure-data-dir)")
            }
        } else {
            try create(path)
        }
        guard access(path, W_OK | X_OK) == 0 else {
            let detail = String(cString: strerror(errno)).lowercased()
            throw DataDirectoryError(
                code: .notWritable,
                message:
                    "the data directory \(path) is not writable by this process (\(describe(path)); \(detail)): make it writable by user \(getuid()) (chown, then chmod 700), or choose another directory"
            )
        }
        for name in databaseFileNames {
            let file = path + "/" + name
            guard access(file, F_OK) == 0, access(file, R_OK | W_OK) != 0 else { continue }
            let detail = String(cString: strerror(errno)).lowercased()
            throw DataDirectoryError(
                code: .notWritable,
                message:
                    "the database file \(file) is not writable by this process (\(describe(file)); \(detail)): make it writable by user \(getuid()) (chown, then chmod 600), or choose another directory"
            )
        }
        try lock(path)
    }

    /// Creates `path` and its missing parents with mode 0700, one `mkdir` at a time, so a
    /// failure names the directory that refused.
    static func create(_ path: String) throws {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var current = ""
        for component in absolute.split(separator: "/") {
            let parent = current.isEmpty ? "/" : current
            current += "/" + component
            var status = stat()
            if stat(current, &status) == 0 {
                guard status.st_mode & fileTypeBits == directoryType else {
                    throw DataDirectoryError(
                        code: .invalid,
                        message: "cannot create the data directory \(path): \(current) is a file, not a directory; choose another directory"
                    )
                }
                continue
            }
            guard mkdir(current, directoryMode) == 0 || errno == EEXIST else {
                let reason = errno
                let detail = String(cString: strerror(reason)).lowercased()
                switch reason {
                case EACCES, EPERM:
                    throw DataDirectoryError(
                        code: .notWritable,
                        message:
                            "cannot create the data directory \(path): its parent \(parent) is not writable by this process (\(describe(parent)); \(detail)); create it yourself (mkdir -p -m 700 \(path)) owned by user \(getuid()), or choose another directory"
                    )
                case EROFS:
                    throw DataDirectoryError(
                        code: .notWritable,
                        message:
                            "cannot create the data directory \(path): \(parent) is on a read-only file system; choose a directory on a writable one"
                    )
                default:
                    throw DataDirectoryError(
                        code: .invalid,
                        message: "cannot create the data directory \(path): mkdir \(current) failed (\(detail)); choose another directory")
                }
            }
        }
    }

    /// "owner uid 0, mode 0555" for a path, or "it cannot be examined".
    static func describe(_ path: String) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else { return "it cannot be examined" }
        return "owner uid \(status.st_uid), mode 0\(String(status.st_mode & 0o777, radix: 8))"
    }

    /// Takes the directory's lock until the process exits (`serve`, `migrate-storage`), or names
    /// the process holding it.
    public static func lock(_ path: String) throws {
        let file = path + "/" + lockFileName
        let descriptor = open(file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = errno
            throw DataDirectoryError(
                code: reason == EACCES || reason == EROFS ? .notWritable : .invalid,
                message:
                    "cannot open \(file): \(String(cString: strerror(reason)).lowercased()); make the data directory writable, or choose another"
            )
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = holderPID(descriptor)
            close(descriptor)
            // EWOULDBLOCK, which is EAGAIN here: another open file holds the lock.
            guard reason == EAGAIN else {
                throw DataDirectoryError(code: .invalid, message: "cannot lock \(file): \(String(cString: strerror(reason)))")
            }
            throw DataDirectoryError(
                code: .locked, message: "the data directory \(path) is in use by another server (pid \(holder ?? "unknown")); stop it first"
            )
        }
        let pid = Array("\(getpid())\n".utf8)
        let written = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard ftruncate(descriptor, off_t(pid.count)) == 0, written == pid.count else {
            close(descriptor)
            throw DataDirectoryError(code: .invalid, message: "cannot write the pid to \(file): \(String(cString: strerror(errno)))")
        }
        held.withLock { $0[path] = descriptor }
    }

    private static func holderPID(_ descriptor: Int32) -> String? {
        var bytes = [UInt8](repeating: 0, count: lockFilePIDLengthBytesMax)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || !text.allSatisfy(\.isNumber) ? nil : text
    }
}
