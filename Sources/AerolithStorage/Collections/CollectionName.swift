/// A validated collection name: 1 to `StorageLimits.collectionNameLengthBytesMax` bytes of ASCII
/// letters, digits, `_` and `-`, starting with a letter. Names are never interpolated into SQL
/// (tables are named by number), but the strict shape keeps URLs, logs and CLIs unsurprising.
public struct CollectionName: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) throws(StorageError) {
        guard Self.isValid(rawValue) else {
            throw StorageError(
                .invalidCollectionName,
                "collection names are 1-\(StorageLimits.collectionNameLengthBytesMax) characters of letters, digits, '_' and '-', starting with a letter"
            )
        }
        self.rawValue = rawValue
    }

    static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, bytes.count <= StorageLimits.collectionNameLengthBytesMax else { return false }
        guard ASCII.isLetter(first) else { return false }
        return bytes.allSatisfy { ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    public var description: String { rawValue }
}

enum ASCII {
    static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
