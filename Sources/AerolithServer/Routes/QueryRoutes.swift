import AerolithJSON
import AerolithStorage
import Hummingbird

/// Queries and atomic batches over one collection.
enum QueryRoutes {
    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        return [
            RouteDefinition(
                method: .post, path: "/v1/collections/{collection}/query", operationID: "queryDocuments",
                summary: "Filter, sort and page through documents. Set \"explain\": true to get the query plan instead",
                tag: "documents", access: .permission(.documentsRead), requestSchema: "Query",
                responses: [
                    .init(status: 200, description: "One page of documents (or the plan)", schema: "QueryPage"),
                    .init(status: 422, description: "The query spent its time or rows-examined budget (query_timeout)", schema: "Problem"),
                    .init(
                        status: 503, description: "Too much of this tenant's or the server's work is waiting (overloaded)",
                        schema: "Problem"),
                ]
            ) { request, context in
                var body = try await RequestBody.object(request, context: context)
                let explain: Bool
                switch body.remove("explain") {
                case nil, .bool(false)?: explain = false
                case .bool(true)?: explain = true
                case let other?: throw StorageError(.invalidQuery, "explain must be true or false, not \(other.typeName)")
                }
                let query = try Query.parse(.object(body))
                let collection = try context.collectionName()
                let placement = try context.tenantPlacement()
                if explain {
                    let plan = try await context.tenantStore().explain(query, in: collection, placement: placement)
                    return ResponseJSON.response(
                        .ok, .object(JSONObject(members: [.init(key: "plan", value: .array(plan.map(JSONValue.string)))])))
                }
                let page = try await context.tenantStore().query(query, in: collection, placement: placement)
                var bytes = Array(#"{"documents":"#.utf8)
                ResponseJSON.documents(page.documents, into: &bytes)
                bytes.append(contentsOf: #","next_cursor":"#.utf8)
                JSONWriter.write(ResponseJSON.cursor(page.nextCursor), into: &bytes)
                bytes.append(UInt8(ascii: "}"))
                return ResponseJSON.response(.ok, bytes: bytes)
            },
            RouteDefinition(
                method: .post, path: "/v1/collections/{collection}/batch", operationID: "batchDocuments",
                summary: "Apply up to \(StorageLimits.batchOperationsMax) writes atomically: all or none", tag: "documents",
                access: .permission(.documentsWrite), requestSchema: "Batch",
                responses: [
                    .init(status: 200, description: "Every operation applied", schema: "BatchResult"),
                    .init(status: 409, description: "An operation conflicted; nothing applied", schema: "Problem"),
                    .init(status: 412, description: "A version did not match; nothing applied", schema: "Problem"),
                ]
            ) { request, context in
                let operations = try BatchParser.parse(try await RequestBody.object(request, context: context))
                let results = try await DocumentWritePipeline(services, context: context).batch(operations)
                var bytes = Array(#"{"results":["#.utf8)
                for (index, result) in results.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    switch result {
                    case .written(let document, let created):
                        bytes.append(contentsOf: #"{"status":\#(created ? 201 : 200),"document":"#.utf8)
                        ResponseJSON.write(document, into: &bytes)
                        bytes.append(UInt8(ascii: "}"))
                    case .deleted(let id):
                        bytes.append(contentsOf: #"{"status":204,"id":"#.utf8)
                        JSONWriter.writeString(id, into: &bytes)
                        bytes.append(UInt8(ascii: "}"))
                    }
                }
                bytes.append(contentsOf: "]}".utf8)
                return ResponseJSON.response(.ok, bytes: bytes)
            },
        ]
    }
}

/// Parses `{"operations": [{"op": "create"|"replace"|"patch"|"delete", "id", "data"|"patch", "if_match"}]}`.
enum BatchParser {
    static func parse(_ body: JSONObject) throws -> [BatchOperation] {
        _ = try RequestFields(body, allowed: ["operations"])
        guard case .array(let elements)? = body["operations"] else {
            throw StorageError(.invalidBatch, "a batch is {\"operations\": [...]}")
        }
        guard elements.count <= StorageLimits.batchOperationsMax else {
            throw StorageError(.batchTooLarge, "a batch holds at most \(StorageLimits.batchOperationsMax) operations")
        }
        var operations: [BatchOperation] = []
        for (index, element) in elements.enumerated() {
            do throws(StorageError) {
                operations.append(try operation(element))
            } catch {
                var failure = error
                failure.operationIndex = index
                throw failure
            }
        }
        return operations
    }

    private static func operation(_ element: JSONValue) throws(StorageError) -> BatchOperation {
        guard case .object(let object) = element else { throw StorageError(.invalidBatch, "each operation is an object") }
        let allowed: Set<String> = ["op", "id", "data", "patch", "if_match"]
        if let unknown = object.members.first(where: { !allowed.contains($0.key) }) {
            throw StorageError(.invalidBatch, "unknown operation field \"\(unknown.key.prefix(40))\"")
        }
        var id: DocumentID?
        switch object["id"] {
        case nil: break
        case .string(let text)?: id = try DocumentID(text)
        default: throw StorageError(.invalidDocumentID, "\"id\" must be a string")
        }
        var version: Int64?
        switch object["if_match"] {
        case nil, .null?: break
        case .number(let number)? where (number.int64Value ?? 0) >= 1: version = number.int64Value
        default: throw StorageError(.invalidBatch, "\"if_match\" is a document version (a positive integer)")
        }
        func requireID() throws(StorageError) -> DocumentID {
            guard let id else { throw StorageError(.invalidBatch, "this operation needs an \"id\"") }
            return id
        }
        func data() throws(StorageError) -> JSONObject {
            guard case .object(let data)? = object["data"] else { throw StorageError(.bodyNotObject, "\"data\" must be a JSON object") }
            return data
        }
        switch object["op"]?.stringValue {
        case "create": return .insert(id: id, body: try data())
        case "replace": return .replace(id: try requireID(), body: try data(), expectedVersion: version)
        case "patch":
            guard let patch = object["patch"], case .object = patch else {
                throw StorageError(.bodyNotObject, "\"patch\" must be a JSON object")
            }
            return .patch(id: try requireID(), patch: patch, expectedVersion: version)
        case "delete": return .delete(id: try requireID(), expectedVersion: version)
        default: throw StorageError(.invalidBatch, "\"op\" is one of create, replace, patch, delete")
        }
    }
}
