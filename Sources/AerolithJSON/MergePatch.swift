/// JSON Merge Patch (RFC 7396): `null` removes a member, an object patches recursively, any
/// other value replaces.
///
/// Linear in the sizes of the target and the patch: members are found through a key index, so
/// a patch with many keys against a document with many keys stays cheap.
public enum MergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var members = target.objectValue?.members ?? []
        var positions: [JSONKeyBytes: Int] = [:]
        positions.reserveCapacity(members.count + patchObject.count)
        for (position, member) in members.enumerated() { positions[JSONKeyBytes(member.key)] = position }
        var removed: Set<Int> = []
        for member in patchObject.members {
            let key = JSONKeyBytes(member.key)
            if case .null = member.value {
                if let position = positions.removeValue(forKey: key) { removed.insert(position) }
            } else if let position = positions[key] {
                members[position].value = apply(member.value, to: members[position].value)
            } else {
                positions[key] = members.count
                members.append(JSONObject.Member(key: member.key, value: apply(member.value, to: .null)))
            }
        }
        if !removed.isEmpty {
            members = members.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        }
        return .object(JSONObject(members: members))
    }
}
