/// Where one tenant's data lives: which database and which table-name prefix.
///
/// Every storage operation is addressed through a placement, never through a tenant id, so a
/// tenant-isolation strategy can decide placements without storage knowing tenants. Today every
/// placement names the shared database; the prefix keeps tenants' tables apart within it.
public struct Placement: Sendable, Hashable, CustomStringConvertible {
    /// The database holding the tables. `Placement.sharedDatabase` is the data directory's main file.
    public let database: String
    /// Prefix of every table of this placement: lowercase ASCII letters, digits and `_`, starting
    /// with a letter, at most `tablePrefixLengthBytesMax` bytes.
    public let tablePrefix: String

    public static let sharedDatabase = "main"
    public static let tablePrefixLengthBytesMax = 48

    public init(database: String = Placement.sharedDatabase, tablePrefix: String) throws(StorageError) {
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
        self.database = database
        self.tablePrefix = tablePrefix
    }

    public var description: String { "\(database):\(tablePrefix)" }
}
