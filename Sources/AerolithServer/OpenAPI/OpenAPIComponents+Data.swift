import AerolithStorage
import OpenAPIKit

/// Collections, indexes, documents, queries, batches and usage.
extension OpenAPIComponents {
    static var dataSchemas: [(OpenAPI.ComponentKey, JSONSchema)] {
        [
            ("CollectionCreate", object(required: ["name"], ["name": collectionName])),
            (
                "Collection",
                object(
                    required: ["name", "created_at", "document_count", "size_bytes"],
                    [
                        "name": text, "created_at": timestamp, "document_count": count, "size_bytes": count,
                    ])
            ),
            ("CollectionList", object(required: ["collections"], ["collections": array(ref("Collection"))])),
            ("IndexCreate", indexCreate),
            (
                "Index",
                object(
                    required: ["name", "paths", "unique", "created_at", "state"],
                    [
                        "name": text, "paths": texts, "unique": boolean, "created_at": timestamp,
                        "state": choice("building", "ready", "failed"), "failure": text,
                    ])
            ),
            ("IndexList", object(required: ["indexes"], ["indexes": array(ref("Index"))])),
            (
                "DocumentInput",
                object(
                    closed: false, description: "The document. A string \"id\" is taken as the document id, not stored in data.",
                    ["id": documentID]
                )
            ),
            ("MergePatch", .object(description: "JSON merge patch (RFC 7396): null removes a member")),
            (
                "Document",
                object(
                    required: ["id", "version", "created_at", "updated_at", "data"],
                    [
                        "id": text, "version": version, "created_at": timestamp, "updated_at": timestamp, "data": .object,
                    ])
            ),
            (
                "Query",
                object([
                    "filter": .object(
                        nullable: true, description: "Operators: $eq $ne $lt $lte $gt $gte $in $nin $exists $prefix $and $or"),
                    // One field name, a list of field names or {field: direction} objects, or none.
                    "sort": anyOf(array(anyOf(text, .object)), text, null),
                    "limit": .integer(
                        nullable: true, maximum: (StorageLimits.queryLimitMax, exclusive: false), minimum: (1, exclusive: false)),
                    "cursor": nullableText, "explain": boolean,
                ])
            ),
            // A page of documents, or the plan of the query when `explain` was asked.
            (
                "QueryPage",
                anyOf(
                    object(required: ["documents", "next_cursor"], ["documents": array(ref("Document")), "next_cursor": nullableText]),
                    object(required: ["plan"], ["plan": texts])
                )
            ),
            (
                "BatchOperation",
                object(
                    required: ["op"],
                    [
                        "op": choice("create", "replace", "patch", "delete"), "id": text, "data": .object, "patch": .object,
                        "if_match": version,
                    ])
            ),
            (
                "Batch",
                object(
                    required: ["operations"],
                    [
                        "operations": array(ref("BatchOperation"), maxItems: StorageLimits.batchOperationsMax)
                    ])
            ),
            (
                "BatchResult",
                object(
                    required: ["results"],
                    [
                        "results": array(
                            object(required: ["status"], closed: false, ["status": integer, "document": ref("Document"), "id": text]))
                    ])
            ),
            (
                "Usage",
                object(
                    required: ["collections", "documents", "storage_bytes", "price"],
                    [
                        "collections": integer, "documents": integer, "storage_bytes": integer,
                        "price": anyOf(
                            null, object(required: ["function", "amount_minor_units"], ["function": text, "amount_minor_units": integer])),
                    ])
            ),
        ]
    }

    private static let count: JSONSchema = .integer(minimum: (0, exclusive: false))
    private static let version: JSONSchema = .integer(minimum: (1, exclusive: false))

    /// An index over one `path` or several `paths`: one of the two must be given. The object's
    /// members and the choice between them are two parts of one `allOf`, as a schema value
    /// holds either an object's members or a combination of schemas, not both.
    private static var indexCreate: JSONSchema {
        let path = text
        let paths = array(text, minItems: 1, maxItems: StorageLimits.indexPathsMax)
        return .all(of: [
            object(["name": .string(pattern: namePattern), "path": path, "paths": paths, "unique": boolean]),
            anyOf(object(required: ["path"], closed: false, ["path": path]), object(required: ["paths"], closed: false, ["paths": paths])),
        ])
    }
}
