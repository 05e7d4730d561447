import AerolithJSON
import AerolithStorage

/// A stored record's members by name: what two records are compared by, whatever the order
/// their members were written in.
struct RecordMembers: Equatable, CustomStringConvertible {
    let members: [String: JSONValue]

    init(_ object: JSONObject) {
        members = Dictionary(object.members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The members of a JSON object's text; throws when it is not one.
    init(_ text: String) throws {
        guard case .object(let object) = try JSONParser.parse(text) else {
            throw StorageError(.bodyNotObject, "not a JSON object: \(text)")
        }
        self.init(object)
    }

    var description: String { members.keys.sorted().map { "\($0): \(JSONWriter.string(members[$0]!))" }.joined(separator: ", ") }
}
