import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a start creates in the data directory, so a start that fails before the server
/// listens leaves nothing behind: no empty data directory, no fresh database or admin key.
///
/// Taken before the start: which of the data directory and its parents exist, and which of the
/// files a start creates are already there. `removeCreated` removes only those files that did
/// not exist, then the directories that did not exist, deepest first, and only while they are
/// empty — anything someone else put there meanwhile stays, with its directory.
public struct StartupFootprint: Sendable {
    /// Every file a start may create in the data directory.
    static let createdFileNames = DataDirectory.databaseFileNames + ["admin.key", DataDirectory.lockFileName]

    let directory: String
    /// The data directory and its parents that did not exist, deepest first.
    let missingDirectories: [String]
    /// The files of `createdFileNames` that did not exist.
    let missingFiles: [String]

    public init(dataDirectory: String) {
        let absolute = dataDirectory.hasPrefix("/") ? dataDirectory : FileManager.default.currentDirectoryPath + "/" + dataDirectory
        directory = absolute
        var missing: [String] = []
        var current = absolute
        while current != "/" && !current.isEmpty && !Self.exists(current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        missingDirectories = missing
        missingFiles = Self.createdFileNames.map { absolute + "/" + $0 }.filter { !Self.exists($0) }
    }

    /// Removes what the failed start created; returns the paths removed.
    @discardableResult
    public func removeCreated() -> [String] {
        var removed: [String] = []
        for file in missingFiles where Self.exists(file) && unlink(file) == 0 { removed.append(file) }
        for directory in missingDirectories where Self.exists(directory) && rmdir(directory) == 0 { removed.append(directory) }
        return removed
    }

    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }
}
