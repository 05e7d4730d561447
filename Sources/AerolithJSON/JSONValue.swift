/// A parsed JSON value that keeps what a document's author wrote: object members keep their
/// order and numbers keep their exact text, so storing and returning a document never rounds a
/// number or reorders a key.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The object's members, or `nil` when this value is not an object.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// An integer number.
    public static func integer(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }

    /// The JSON type name used in error messages ("object", "string", ...).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON number kept as its validated literal text (RFC 8259 grammar), so that integers beyond
/// 2^53 and decimals survive a round trip unchanged.
public struct JSONNumber: Sendable, Equatable {
    public let text: String

    /// Trusts that `text` is a valid JSON number literal; the parser and `init(_:)` guarantee it.
    init(validatedText text: String) { self.text = text }

    public init(_ value: Int64) { self.text = String(value) }

    /// The value as a 64-bit integer when the literal is an integer that fits.
    public var int64Value: Int64? { Int64(text) }

    public var doubleValue: Double { Double(text) ?? .nan }
}

/// A JSON object whose members keep their insertion order. Keys are unique (the parser refuses
/// duplicates, and `set` replaces in place) and compared by their UTF-8 bytes, never by
/// Unicode canonical equivalence: `"é"` as one code point and as `e` + a combining accent are
/// two keys, as they are to SQLite's JSON functions and to every other JSON reader.
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }

        public static func == (lhs: Member, rhs: Member) -> Bool {
            JSONKeyBytes.equal(lhs.key, rhs.key) && lhs.value == rhs.value
        }
    }

    public private(set) var members: [Member]

    public init(members: [Member] = []) { self.members = members }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }

    public subscript(key: String) -> JSONValue? {
        members.first { JSONKeyBytes.equal($0.key, key) }?.value
    }

    /// Sets `key` to `value`, keeping the key's position when it already exists.
    public mutating func set(_ key: String, _ value: JSONValue) {
        if let index = members.firstIndex(where: { JSONKeyBytes.equal($0.key, key) }) {
            members[index].value = value
        } else {
            members.append(Member(key: key, value: value))
        }
    }

    /// Removes `key` and returns its value, if it was present.
    @discardableResult
    public mutating func remove(_ key: String) -> JSONValue? {
        guard let index = members.firstIndex(where: { JSONKeyBytes.equal($0.key, key) }) else { return nil }
        return members.remove(at: index).value
    }
}

/// An object key hashed and compared by its UTF-8 bytes (Swift's `String ==` would make
/// canonically equivalent spellings one key).
struct JSONKeyBytes: Hashable {
    let key: String

    init(_ key: String) { self.key = key }

    static func equal(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.elementsEqual(rhs.utf8) }

    static func == (lhs: JSONKeyBytes, rhs: JSONKeyBytes) -> Bool { equal(lhs.key, rhs.key) }

    func hash(into hasher: inout Hasher) {
        var key = key
        key.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
