import AerolithJSON
import AerolithStorage
import HTTPTypes
import Hummingbird

/// Documents in a tenant's collection: CRUD with optimistic concurrency through ETag/If-Match.
enum DocumentRoutes {
    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        let item = "/v1/collections/{collection}/documents/{id}"
        return [
            RouteDefinition(
                method: .post, path: "/v1/collections/{collection}/documents", operationID: "createDocument",
                summary: "Create a document; the body is the document, with an optional string \"id\"", tag: "documents",
                access: .permission(.documentsWrite), requestSchema: "DocumentInput",
                responses: [
                    .init(status: 201, description: "Created", schema: "Document"),
                    .init(status: 409, description: "The id is taken", schema: "Problem"),
                ]
            ) { request, context in
                var body = try await RequestBody.object(request, context: context)
                var id: DocumentID?
                switch body.remove("id") {
                case nil: break
                case .string(let text)?: id = try DocumentID(text)
                case let other?: throw StorageError(.invalidDocumentID, "\"id\" must be a string, not \(other.typeName)")
                }
                let document = try await DocumentWritePipeline(services, context: context).create(body, id: id)
                var response = ResponseJSON.document(document, status: .created)
                response.headers[.location] = "/v1/collections/\(try context.collectionName())/documents/\(document.id)"
                return response
            },
            RouteDefinition(
                method: .get, path: item, operationID: "getDocument", summary: "Read a document", tag: "documents",
                access: .permission(.documentsRead), headers: ["If-None-Match"],
                responses: [
                    .init(status: 200, description: "The document", schema: "Document"),
                    .init(status: 304, description: "Not modified", schema: nil),
                ]
            ) { request, context in
                let document = try await context.tenantStore().document(
                    try context.documentID(), in: try context.collectionName(),
                    placement: try context.tenantPlacement())
                if let tags = request.headers[.ifNoneMatch],
                    tags == "*"
                        || tags.split(separator: ",").contains(where: {
                            $0.trimmingHeaderWhitespace == ResponseJSON.etag(document.version)
                        })
                {
                    return Response(status: .notModified, headers: [.eTag: ResponseJSON.etag(document.version)])
                }
                return ResponseJSON.document(document)
            },
            RouteDefinition(
                method: .put, path: item, operationID: "replaceDocument",
                summary: "Replace (or create) a document. If-Match makes it conditional; If-None-Match: * makes it create-only",
                tag: "documents", access: .permission(.documentsWrite), requestSchema: "DocumentInput",
                headers: ["If-Match", "If-None-Match"],
                responses: [
                    .init(status: 200, description: "Replaced", schema: "Document"),
                    .init(status: 201, description: "Created", schema: "Document"),
                    .init(status: 412, description: "Precondition failed", schema: "Problem"),
                ]
            ) { request, context in
                let id = try context.documentID()
                var body = try await RequestBody.object(request, context: context)
                try Self.removeMatchingID(id, from: &body)
                let condition = try Precondition(request, allowsCreateOnly: true)
                let mode: ReplaceMode = condition.createOnly ? .createOnly : (condition.mustExist ? .replaceOnly : .upsert)
                do {
                    let (document, created) = try await DocumentWritePipeline(services, context: context)
                        .replace(id, with: body, expectedVersion: condition.version, mode: mode)
                    return ResponseJSON.document(document, status: created ? .created : .ok)
                } catch let error as StorageError where error.code == .documentExists {
                    throw Problem(status: .preconditionFailed, code: error.code.rawValue, detail: error.message)
                }
            },
            RouteDefinition(
                method: .patch, path: item, operationID: "patchDocument", summary: "Apply a JSON merge patch (RFC 7396) to a document",
                tag: "documents", access: .permission(.documentsWrite), requestSchema: "MergePatch",
                requestMediaTypes: ["application/merge-patch+json", "application/json"], headers: ["If-Match"],
                responses: [
                    .init(status: 200, description: "Patched", schema: "Document"),
                    .init(status: 412, description: "Precondition failed", schema: "Problem"),
                ]
            ) { request, context in
                let id = try context.documentID()
                var patch = try await RequestBody.object(request, context: context, allowMergePatch: true)
                try Self.removeMatchingID(id, from: &patch)
                let condition = try Precondition(request)
                let document = try await DocumentWritePipeline(services, context: context).patch(
                    id, with: patch, expectedVersion: condition.version)
                return ResponseJSON.document(document)
            },
            RouteDefinition(
                method: .delete, path: item, operationID: "deleteDocument", summary: "Delete a document", tag: "documents",
                access: .permission(.documentsWrite), headers: ["If-Match"],
                responses: [
                    .init(status: 204, description: "Deleted", schema: nil),
                    .init(status: 412, description: "Precondition failed", schema: "Problem"),
                ]
            ) { request, context in
                let condition = try Precondition(request)
                try await DocumentWritePipeline(services, context: context).delete(
                    try context.documentID(), expectedVersion: condition.version)
                return ResponseJSON.noContent()
            },
        ]
    }

    /// A body may repeat the path's id; any other `id` is a mistake worth refusing.
    static func removeMatchingID(_ id: DocumentID, from body: inout JSONObject) throws {
        switch body.remove("id") {
        case nil: return
        case .string(let text)? where text == id.rawValue: return
        default: throw ServerError(.idMismatch, "the body's \"id\" differs from the id in the path")
        }
    }
}

/// The conditional-request headers of a write: `If-Match: "<version>"` or `*`, `If-None-Match: *`.
struct Precondition {
    var version: Int64?
    var mustExist = false
    var createOnly = false

    init(_ request: Request, allowsCreateOnly: Bool = false) throws {
        if let match = request.headers[.ifMatch]?.trimmingHeaderWhitespace {
            if match == "*" {
                mustExist = true
            } else {
                // Strong comparison (RFC 9110): a weak tag never matches, so it is refused.
                var tag = Substring(match)
                if tag.hasPrefix("\""), tag.hasSuffix("\""), tag.count >= 2 { tag = tag.dropFirst().dropLast() }
                guard let parsed = Int64(tag), parsed >= 1 else {
                    throw ServerError(.invalidHeader, "If-Match takes one ETag as returned by the server, e.g. \"3\", or *")
                }
                version = parsed
            }
        }
        if let noneMatch = request.headers[.ifNoneMatch]?.trimmingHeaderWhitespace {
            guard allowsCreateOnly else { throw ServerError(.invalidHeader, "If-None-Match applies to GET and PUT only") }
            guard noneMatch == "*" else { throw ServerError(.invalidHeader, "on writes, If-None-Match takes only *") }
            createOnly = true
        }
        if createOnly, mustExist || version != nil {
            throw ServerError(.invalidHeader, "If-Match and If-None-Match: * exclude each other")
        }
    }
}
