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
