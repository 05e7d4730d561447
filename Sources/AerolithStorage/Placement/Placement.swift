/// Where one tenant's data lives: which storage target, which database within it, and which
/// table-name prefix.
///
/// Every storage operation is addressed through a placement, never through a tenant id, so a
/// tenant-isolation strategy can decide placements without storage knowing tenants. Today every
/// placement names the shared database of a target; the prefix keeps tenants' tables apart in it.
public struct Placement: Sendable, Hashable, CustomStringConvertible {
    /// The storage target (a name from the configuration's `storage.targets`); nil: the
    /// deployment's default target.
    public let target: String?
    /// The database holding the tables. `Placement.sharedDatabase` is the target's main database.
    public let database: String
    /// Prefix of every table of this placement: lowercase ASCII letters, digits and `_`, starting
    /// with a letter, at most `tablePrefixLengthBytesMax` bytes.
    public let tablePrefix: String
    /// Whether document reads may go to a streaming replica of the target (when the target has
    /// replicas: within its `replica_lag_max_ms`, and never missing this node's own writes).
    /// False for records a node caches or reads before it writes. Not part of the placement's
    /// identity: two placements differing only in this address the same tables.
    public private(set) var readsFromReplicas = true

    public static let sharedDatabase = "main"
    public static let tablePrefixLengthBytesMax = 48

    public init(target: String? = nil, database: String = Placement.sharedDatabase, tablePrefix: String) throws(StorageError) {
        let bytes = Array(tablePrefix.utf8)
        let valid =
            !bytes.isEmpty && bytes.count <= Self.tablePrefixLengthBytesMax
            && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0])
            && bytes.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            }
        guard valid else { throw StorageError(.storageFailure, "invalid table prefix \"\(tablePrefix)\"") }
        guard database == Self.sharedDatabase else {
            throw StorageError(.storageFailure, "unknown database \"\(database)\"")
        }
        if let target { try StorageConfiguration.checkTargetName(target) }
        self.target = target
        self.database = database
        self.tablePrefix = tablePrefix
    }

    /// The same placement on `target` when it names none.
    public func resolved(defaultTarget: String) -> Placement {
        guard target == nil, var placement = try? Placement(target: defaultTarget, database: database, tablePrefix: tablePrefix) else {
            return self
        }
        placement.readsFromReplicas = readsFromReplicas
        return placement
    }

    /// The same tables, every read on the primary: for what must not be stale (a record a node
    /// caches, a document read to decide a write).
    public var readingFromPrimary: Placement {
        var placement = self
        placement.readsFromReplicas = false
        return placement
    }

    public static func == (lhs: Placement, rhs: Placement) -> Bool {
        lhs.target == rhs.target && lhs.database == rhs.database && lhs.tablePrefix == rhs.tablePrefix
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(target)
        hasher.combine(database)
        hasher.combine(tablePrefix)
    }

    public var description: String { "\(target.map { "\($0)/" } ?? "")\(database):\(tablePrefix)" }
}
