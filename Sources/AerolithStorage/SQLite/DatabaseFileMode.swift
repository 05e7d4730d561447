#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The database holds every tenant's data, password hashes and signing secrets: only the
/// server's user may read it.
///
/// SQLite creates a new database file with mode 0644 (less the umask), and its `-wal` and
/// `-shm` files with the database file's mode. So the file is made 0600 before SQLite first
/// opens it (from its first byte: `O_CREAT | O_EXCL` with mode 0600), and files an older
/// version left readable by others are narrowed before they are used.
enum DatabaseFileMode {
    static let fileMode: mode_t = 0o600
    static let companionSuffixes = ["-wal", "-shm", "-journal"]
    private static let fileTypeBits: mode_t = 0o170000
    private static let regularFileType: mode_t = 0o100000

    static func prepare(_ path: String) throws(StorageError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if descriptor >= 0 {
            close(descriptor)
        } else if errno != EEXIST {
            throw StorageError(.storageFailure, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        for file in [path] + companionSuffixes.map({ path + $0 }) {
            var status = stat()
            guard lstat(file, &status) == 0, status.st_mode & fileTypeBits == regularFileType, status.st_mode & 0o077 != 0 else { continue }
            guard chmod(file, status.st_mode & 0o700) == 0 else {
                throw StorageError(.storageFailure, "cannot make \(file) private (mode 0600): \(String(cString: strerror(errno)))")
            }
        }
    }
}
