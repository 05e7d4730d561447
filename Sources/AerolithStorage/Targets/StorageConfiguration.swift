/// The storage targets of a deployment and which of them is the default: the platform's own
/// records (tenants, users, keys, plugin state) live on the default target, and so does every
/// tenant whose placement names no other.
///
/// In configuration: `{"storage": {"default": "main", "targets": {"main": "sqlite:./aerolith-data",
/// "pg-eu": "postgres://…"}}}`, or one URL (`"storage": "postgres://…"`, `--storage URL`,
/// `AEROLITH_STORAGE`) for a single target named `main`.
public struct StorageConfiguration: Sendable, Equatable {
    public var defaultTarget: String
    public var targets: [String: StorageLocation]

    /// The name of the one target of a single-URL configuration.
    public static let singleTargetName = "main"
    public static let targetNameLengthBytesMax = 32
    public static let targetsMax = 64

    public init(defaultTarget: String, targets: [String: StorageLocation]) throws(StorageError) {
        guard !targets.isEmpty, targets.count <= Self.targetsMax else {
            throw StorageError(.invalidStorageConfiguration, "storage.targets names 1 to \(Self.targetsMax) targets")
        }
        for name in targets.keys.sorted() { try Self.checkTargetName(name) }
        guard targets[defaultTarget] != nil else {
            throw StorageError(
                .invalidStorageConfiguration,
                "storage.default \"\(defaultTarget.prefix(40))\" is not one of storage.targets (\(targets.keys.sorted().joined(separator: ", ")))"
            )
        }
        self.defaultTarget = defaultTarget
        self.targets = targets
    }

    /// One target, `main`, at `location`.
    public static func single(_ location: StorageLocation) -> StorageConfiguration {
        StorageConfiguration(unchecked: singleTargetName, [singleTargetName: location])
    }

    private init(unchecked defaultTarget: String, _ targets: [String: StorageLocation]) {
        self.defaultTarget = defaultTarget
        self.targets = targets
    }

    /// Target names: 1 to `targetNameLengthBytesMax` bytes of lowercase ASCII letters, digits,
    /// `-` and `_`, starting with a letter.
    public static func checkTargetName(_ name: String) throws(StorageError) {
        let bytes = Array(name.utf8)
        let valid =
            !bytes.isEmpty && bytes.count <= targetNameLengthBytesMax && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0])
            && bytes.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
        guard valid else {
            throw StorageError(
                .invalidStorageConfiguration,
                "storage target name \"\(name.prefix(40))\" is not 1 to \(targetNameLengthBytesMax) lowercase letters, digits, '-' or '_' starting with a letter"
            )
        }
    }
}
