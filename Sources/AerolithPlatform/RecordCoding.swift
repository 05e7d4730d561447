import AerolithJSON
import AerolithStorage
import Foundation

/// Platform records as the store holds them. Each kind of record is a Codable `…Record` type
/// whose coding keys are the stored member names; this turns one into the JSON object the
/// store takes and a stored body back into one.
///
/// Reading is as forgiving as the record formats have always been: unknown members are
/// ignored, and an optional member of the wrong type reads as absent (see `lenient`).
enum RecordCoding {
    /// The record as a JSON object for the store. Members come in key order.
    static func object<Record: Encodable>(_ record: Record) throws(StorageError) -> JSONObject {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(record)
        } catch {
            throw StorageError(.storageFailure, "a \(Record.self) could not be encoded: \(error)")
        }
        // The document limits: a record too large to store is refused as the store would refuse it.
        let value: JSONValue
        do {
            value = try JSONParser.parse(String(decoding: data, as: UTF8.self), limits: .document)
        } catch {
            throw StorageError(error)
        }
        guard case .object(let object) = value else {
            throw StorageError(.storageFailure, "a \(Record.self) did not encode to a JSON object")
        }
        return object
    }

    /// The record a stored body holds, or nil if it is not one (the caller decides what an
    /// unreadable record means, as before: skipped in lists, an error when looked up).
    static func decode<Record: Decodable>(_ type: Record.Type, from body: String) -> Record? {
        try? JSONDecoder().decode(type, from: Data(body.utf8))
    }
}

extension KeyedDecodingContainer {
    /// An optional member: nil when absent, null or of another type.
    func lenient<Value: Decodable>(_ type: Value.Type, forKey key: Key) -> Value? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }

    /// A required array member, keeping only its strings (the others are dropped, not an error).
    func strings(forKey key: Key) throws -> [String] {
        var array = try nestedUnkeyedContainer(forKey: key)
        var strings: [String] = []
        while !array.isAtEnd {
            if let string = try? array.decode(String.self) {
                strings.append(string)
            } else {
                _ = try array.decode(SkippedValue.self)
            }
        }
        return strings
    }

    /// An optional array member's strings: nil when absent, null or not an array.
    func lenientStrings(forKey key: Key) -> [String]? {
        try? strings(forKey: key)
    }
}

/// Any JSON value, read and thrown away: moves an unkeyed container past an element.
private struct SkippedValue: Decodable {
    init(from decoder: any Decoder) {}
}
