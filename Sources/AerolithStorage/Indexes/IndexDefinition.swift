import AerolithJSON

/// A secondary index on one or more document paths, declared by a client.
public struct IndexDefinition: Sendable, Equatable {
    public let name: String
    public let paths: [FieldPath]
    public let unique: Bool

    public init(name: String, paths: [FieldPath], unique: Bool = false) throws(StorageError) {
        let bytes = Array(name.utf8)
        let validName =
            !bytes.isEmpty && bytes.count <= StorageLimits.indexNameLengthBytesMax && ASCII.isLetter(bytes[0])
            && bytes.allSatisfy { ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        guard validName else {
            throw StorageError(
                .invalidIndex,
                "index names are 1-\(StorageLimits.indexNameLengthBytesMax) characters of letters, digits, '_' and '-', starting with a letter"
            )
        }
        guard !paths.isEmpty, paths.count <= StorageLimits.indexPathsMax else {
            throw StorageError(.invalidIndex, "an index covers 1 to \(StorageLimits.indexPathsMax) paths")
        }
        self.name = name
        self.paths = paths
        self.unique = unique
    }

    /// Parses `{"name": "by_age", "paths": ["age"], "unique": false}` (or `"path": "age"`).
    /// Without a name, one is derived from the paths.
    public static func parse(_ value: JSONValue) throws(StorageError) -> IndexDefinition {
        guard case .object(let object) = value else { throw StorageError(.invalidIndex, "an index definition is a JSON object") }
        var pathTexts: [String] = []
        var name: String?
        var unique = false
        for member in object.members {
            switch (member.key, member.value) {
            case ("name", .string(let text)): name = text
            case ("path", .string(let text)): pathTexts.append(text)
            case ("paths", .array(let elements)):
                for element in elements {
                    guard case .string(let text) = element else { throw StorageError(.invalidIndex, "paths must be strings") }
                    pathTexts.append(text)
                }
            case ("unique", .bool(let flag)): unique = flag
            default:
                throw StorageError(
                    .invalidIndex,
                    "unexpected index field \"\(member.key.prefix(40))\" (\(member.value.typeName)); use name, path or paths, unique")
            }
        }
        var paths: [FieldPath] = []
        for text in pathTexts {
            do throws(StorageError) {
                paths.append(try FieldPath(text))
            } catch {
                throw StorageError(.invalidIndex, error.message)
            }
        }
        let derived = "ix_" + pathTexts.joined(separator: "_").map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return try IndexDefinition(
            name: name ?? String(derived.prefix(StorageLimits.indexNameLengthBytesMax)), paths: paths, unique: unique)
    }
}

/// An index as stored.
public struct IndexInfo: Sendable, Equatable {
    /// `building`: being built in the background (queries do not use it yet; a unique one already
    /// refuses duplicates among documents copied so far); `ready`; `failed`: the build stopped
    /// (see `failure`), drop the index to create it again.
    public enum State: String, Sendable {
        case building, ready, failed
    }

    public let name: String
    public let paths: [String]
    public let unique: Bool
    public let createdAt: Timestamp
    public var state = State.ready
    public var failure: String?

    /// The paths as stored in the catalog: a JSON array of strings.
    static func paths(fromJSON text: String) throws(StorageError) -> [String] {
        guard case .array(let elements)? = try? JSONParser.parse(text) else {
            throw StorageError(.storageFailure, "an index's paths are unreadable")
        }
        return elements.compactMap(\.stringValue)
    }
}
