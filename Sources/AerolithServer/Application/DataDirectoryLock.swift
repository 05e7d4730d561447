/// The data directory's lock for commands other than `serve` that must not run beside a server
/// on the same directory (`aerolith migrate-storage`): held until the process exits, and a
/// server started meanwhile is refused with `data_dir_locked`, as a second server would be.
public enum DataDirectoryLock {
    /// Takes the lock of the existing directory `path`; throws `DataDirectoryError` (`data_dir_locked`
    /// naming the holder's pid, `invalid_data_dir`, `data_dir_not_writable`).
    public static func hold(_ path: String) throws {
        try DataDirectory.lock(path)
    }
}
