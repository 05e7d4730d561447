import AerolithJSON

/// Turns a document object into the text that is stored, enforcing the size limit.
public enum DocumentBody {
    public static func serialize(_ object: JSONObject) throws(StorageError) -> String {
        let text = JSONWriter.string(.object(object))
        guard text.utf8.count <= StorageLimits.documentSizeBytesMax else {
            throw StorageError(
                .jsonTooLarge, "the document is \(text.utf8.count) bytes; the limit is \(StorageLimits.documentSizeBytesMax) bytes")
        }
        return text
    }
}

extension DocumentBody {
    /// The stored text `body` with the merge patch `patch` (RFC 7396) applied, serialised and
    /// checked like any new body.
    static func patched(_ body: String, with patch: JSONValue) throws(StorageError) -> String {
        let stored: JSONValue
        do {
            // A stored body was checked on its way in; one level more leaves room for the patch's own nesting.
            stored = try JSONParser.parse(body, limits: JSONLimits(depthMax: StorageLimits.documentDepthMax + 1, sizeBytesMax: Int.max))
        } catch {
            throw StorageError(error)
        }
        guard case .object(let object) = MergePatch.apply(patch, to: stored) else {
            throw StorageError(.bodyNotObject, "a merge patch must be a JSON object")
        }
        return try serialize(object)
    }
}
