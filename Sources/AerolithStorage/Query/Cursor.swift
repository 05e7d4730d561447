import AerolithJSON
import Crypto
import Foundation

/// Where a page ended: the last row's sort values and row id. A cursor whose sort values would
/// be too long (a sort on long strings or nested objects) carries only the row id, and the values
/// are read back from that row (`sortValues == nil`).
struct CursorPosition: Sendable, Equatable {
    var sortValues: [SQLiteValue]?
    let rowID: Int64
}

/// Encodes and checks opaque pagination cursors.
///
/// A cursor is `base64url(payload) "." base64url(HMAC-SHA256(payload))`, keyed by a secret kept
/// in the database, so a client can neither forge a position nor reuse a cursor with a
/// different filter or sort (the payload carries a fingerprint of the query's shape).
struct CursorCodec: Sendable {
    private let key: SymmetricKey

    init(secret: [UInt8]) {
        key = SymmetricKey(data: secret)
    }

    private static let macLengthBytes = 16
    /// Longest sort values carried inside a cursor, in bytes; longer ones are re-read by row id.
    static let sortValuesBytesMax = 1_024

    func encode(_ position: CursorPosition, shape: String) -> String {
        var payload: JSONObject = JSONObject()
        payload.set("s", .string(Self.fingerprint(shape)))
        payload.set("r", .number(JSONNumber(position.rowID)))
        // No values, or too long to carry: a cursor of the row id alone, whose values are re-read from its row.
        let valuesBytes = (position.sortValues ?? []).reduce(0) { total, value in
            if case .text(let text) = value { return total + text.utf8.count }
            return total + 24
        }
        if let values = position.sortValues, valuesBytes <= Self.sortValuesBytesMax {
            payload.set("k", .array(values.map(Self.encode)))
        } else {
            payload.set("k", .null)
        }
        let bytes = Array(JSONWriter.string(.object(payload)).utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: bytes, using: key)
        return Self.base64URL(bytes) + "." + Self.base64URL(Array(mac.prefix(Self.macLengthBytes)))
    }

    func decode(_ cursor: String, shape: String, sortKeyCount: Int) throws(StorageError) -> CursorPosition {
        let invalid = StorageError(.invalidCursor, "the cursor is invalid, was altered, or belongs to another query")
        guard cursor.utf8.count <= StorageLimits.cursorLengthBytesMax else { throw invalid }
        let parts = cursor.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Self.fromBase64URL(parts[0]), let mac = Self.fromBase64URL(parts[1]) else { throw invalid }
        let expected = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        // Constant-time comparison of the truncated tags.
        guard mac.count == Self.macLengthBytes else { throw invalid }
        var difference: UInt8 = 0
        for (lhs, rhs) in zip(mac, expected.prefix(Self.macLengthBytes)) { difference |= lhs ^ rhs }
        guard difference == 0 else { throw invalid }
        let json: JSONValue
        do {
            json = try payload.withUnsafeBytes { bytes throws(JSONError) in
                try JSONParser.parse(bytes, limits: JSONLimits(depthMax: 4, sizeBytesMax: StorageLimits.cursorLengthBytesMax))
            }
        } catch {
            throw invalid
        }
        guard case .object(let object) = json,
            object["s"]?.stringValue == Self.fingerprint(shape),
            case .number(let row)? = object["r"], let rowID = row.int64Value,
            let keyValue = object["k"]
        else {
            throw invalid
        }
        if case .null = keyValue { return CursorPosition(sortValues: nil, rowID: rowID) }
        guard case .array(let keys) = keyValue, keys.count == sortKeyCount else { throw invalid }
        var values: [SQLiteValue] = []
        for key in keys {
            guard let value = Self.decode(key) else { throw invalid }
            values.append(value)
        }
        return CursorPosition(sortValues: values, rowID: rowID)
    }

    private static func fingerprint(_ shape: String) -> String {
        Hex.string(SHA256.hash(data: Array(shape.utf8)).prefix(12))
    }

    /// Sort values travel tagged, so an integer never comes back as a real or a string.
    private static func encode(_ value: SQLiteValue) -> JSONValue {
        switch value {
        case .null: .array([.string("n")])
        case .integer(let integer): .array([.string("i"), .string(String(integer))])
        case .real(let real): .array([.string("r"), .string(String(real.bitPattern))])
        case .text(let text): .array([.string("t"), .string(text)])
        }
    }

    private static func decode(_ value: JSONValue) -> SQLiteValue? {
        guard case .array(let parts) = value, case .string(let tag)? = parts.first else { return nil }
        switch (tag, parts.count) {
        case ("n", 1): return .null
        case ("i", 2): return parts[1].stringValue.flatMap(Int64.init).map { .integer($0) }
        case ("r", 2): return parts[1].stringValue.flatMap(UInt64.init).map { .real(Double(bitPattern: $0)) }
        case ("t", 2): return parts[1].stringValue.map { .text($0) }
        default: return nil
        }
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func fromBase64URL(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { Array($0) }
    }
}
