/// JSON Merge Patch (RFC 7396): `null` removes a member, an object patches recursively, any
/// other value replaces.
public enum MergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for member in patchObject.members {
            if case .null = member.value {
                result.remove(member.key)
            } else {
                result.set(member.key, apply(member.value, to: result[member.key] ?? .null))
            }
        }
        return .object(result)
    }
}
