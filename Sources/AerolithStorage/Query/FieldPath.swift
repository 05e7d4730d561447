/// A dotted path into a document (`address.city`), or one of the metadata fields `$id`,
/// `$version`, `$created_at`, `$updated_at`.
///
/// Segments are 1 to `StorageLimits.fieldPathSegmentLengthBytesMax` bytes of ASCII letters,
/// digits, `_` and `-`; that strict shape is what lets a path appear literally in SQL (which
/// expression indexes require) with no way to inject anything.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Target: Sendable, Hashable {
        case metadata(column: String)
        case body(segments: [String])
    }

    public let rawValue: String
    public let target: Target

    private static let metadataColumns = [
        "$id": "id", "$version": "version", "$created_at": "created_at", "$updated_at": "updated_at",
    ]

    public init(_ rawValue: String) throws(StorageError) {
        if let column = Self.metadataColumns[rawValue] {
            self.rawValue = rawValue
            self.target = .metadata(column: column)
            return
        }
        let segments = rawValue.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let valid =
            !rawValue.isEmpty && segments.count <= StorageLimits.fieldPathSegmentsMax
            && segments.allSatisfy { segment in
                let bytes = Array(segment.utf8)
                return !bytes.isEmpty && bytes.count <= StorageLimits.fieldPathSegmentLengthBytesMax
                    && bytes.allSatisfy { ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
            }
        guard valid else {
            throw StorageError(
                .invalidFilter,
                "invalid field path \"\(rawValue.prefix(80))\": use up to \(StorageLimits.fieldPathSegmentsMax) dot-separated names of letters, digits, '_' and '-', or $id, $version, $created_at, $updated_at"
            )
        }
        self.rawValue = rawValue
        self.target = .body(segments: segments)
    }

    /// The SQL expression that yields this field's value. Index definitions and queries both use
    /// it, byte for byte, so SQLite can match a query term to an expression index.
    var valueSQL: String {
        switch target {
        case .metadata(let column): column
        case .body(let segments): "json_extract(body, '\(jsonPath(segments))')"
        }
    }

    /// SQL yielding SQLite's JSON type name of the field ('text', 'integer', 'real', 'true',
    /// 'false', 'null', 'object', 'array'), or NULL when it is missing.
    var typeSQL: String {
        switch target {
        case .metadata(let column): column == "id" ? "'text'" : "'integer'"
        case .body(let segments): "json_type(body, '\(jsonPath(segments))')"
        }
    }

    private func jsonPath(_ segments: [String]) -> String {
        "$" + segments.map { ".\"\($0)\"" }.joined()
    }

    public var description: String { rawValue }
}
