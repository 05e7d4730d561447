#if canImport(Glibc)
import Glibc
#endif

/// Where plugins are looked for, in order: `<data-dir>/plugins`, every `--plugin-dir`, each
/// entry of `AEROLITH_PLUGIN_PATH` (colon-separated), and the first-party plugins built next to
/// the server binary (`libAerolithPlugin*.so` only). A path listed twice is scanned once.
public struct PluginDirectories: Sendable, Equatable {
    public let paths: [String]
    /// The directory of the server binary, if it is searched (first-party plugins only).
    public let besideExecutable: String?

    public static let fileSuffix = ".so"
    /// Beside the server binary, only first-party plugins are considered (SwiftPM names the
    /// product `AerolithPlugin<Name>` `libAerolithPlugin<Name>.so`); other libraries built there
    /// are not plugins.
    public static let firstPartyFilePrefix = "libAerolithPlugin"
    /// Most files considered in one directory; a directory with more is scanned up to this many.
    public static let filesPerDirectoryMax = 1_024

    public init(dataDirectory: String, extra: [String], environment: [String: String], besideExecutable: String?) {
        var paths = [dataDirectory + "/plugins"] + extra
        if let list = environment["AEROLITH_PLUGIN_PATH"] {
            paths += list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        var seen = Set<String>()
        // Absolute, so a plugin's file names one place whatever the working directory.
        self.paths = paths.map(Self.absolute).filter { seen.insert($0).inserted }
        self.besideExecutable = besideExecutable.map(Self.absolute).flatMap { seen.contains($0) ? nil : $0 }
    }

    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return FileManagerPath.current + "/" + relative
    }

    /// The `.so` files in every directory, sorted by name within a directory. Missing
    /// directories are skipped.
    public func candidateFiles() -> [String] {
        let firstParty = besideExecutable.map { Self.files(in: $0, prefix: Self.firstPartyFilePrefix) } ?? []
        return paths.flatMap { Self.files(in: $0, prefix: "") } + firstParty
    }

    private static let direntNameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!

    private static func files(in directory: String, prefix: String) -> [String] {
        do {
            guard let handle = opendir(directory) else { return [] }
            defer { closedir(handle) }
            var names: [String] = []
            while names.count < Self.filesPerDirectoryMax, let entry = readdir(handle) {
                // The name in place, up to its NUL. Not `entry.pointee`: that copies a whole
                // `struct dirent`, and an entry is only `d_reclen` bytes, so copying the last one
                // in readdir's buffer can read past its end into an unmapped page.
                let name = String(cString: UnsafeRawPointer(entry).advanced(by: Self.direntNameOffset).assumingMemoryBound(to: CChar.self))
                if name.hasSuffix(Self.fileSuffix), !name.hasPrefix("."), name.hasPrefix(prefix) { names.append(name) }
            }
            return names.sorted().map { directory + "/" + $0 }
        }
    }
}
