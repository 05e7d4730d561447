import AerolithJSON
import AerolithStorage
import Hummingbird

/// A tenant's collections and their secondary indexes.
enum CollectionRoutes {
    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        return [
            RouteDefinition(
                method: .post, path: "/v1/collections", operationID: "createCollection", summary: "Create a collection",
                tag: "collections", access: .permission(.collectionsManage), requestSchema: "CollectionCreate",
                responses: [.init(status: 201, description: "Created", schema: "Collection")]
            ) { request, context in
                let fields = try RequestFields(try await RequestBody.object(request, context: context), allowed: ["name"])
                let name = try CollectionName(try fields.string("name", required: true) ?? "")
                let info = try await context.tenantStore().createCollection(name, in: try context.tenantPlacement())
                return ResponseJSON.response(.created, ResponseJSON.collection(info))
            },
            RouteDefinition(
                method: .get, path: "/v1/collections", operationID: "listCollections", summary: "List collections with their sizes",
                tag: "collections", access: .permission(.documentsRead),
                responses: [.init(status: 200, description: "The collections", schema: "CollectionList")]
            ) { _, context in
                let collections = try await context.tenantStore().collections(in: try context.tenantPlacement())
                return ResponseJSON.response(
                    .ok,
                    .object(
                        JSONObject(members: [
                            .init(key: "collections", value: .array(collections.map(ResponseJSON.collection)))
                        ])))
            },
            RouteDefinition(
                method: .get, path: "/v1/collections/{collection}", operationID: "getCollection", summary: "Show a collection and its size",
                tag: "collections", access: .permission(.documentsRead),
                responses: [.init(status: 200, description: "The collection", schema: "Collection")]
            ) { _, context in
                let info = try await context.tenantStore().collection(try context.collectionName(), in: try context.tenantPlacement())
                return ResponseJSON.response(.ok, ResponseJSON.collection(info))
            },
            RouteDefinition(
                method: .delete, path: "/v1/collections/{collection}", operationID: "dropCollection",
                summary: "Drop a collection with all its documents and indexes", tag: "collections",
                access: .permission(.collectionsManage), responses: [.init(status: 204, description: "Dropped", schema: nil)]
            ) { _, context in
                try await context.tenantStore().dropCollection(try context.collectionName(), in: try context.tenantPlacement())
                return ResponseJSON.noContent()
            },
            RouteDefinition(
                method: .post, path: "/v1/collections/{collection}/indexes", operationID: "createIndex",
                summary: "Create a secondary index on one or more JSON paths", tag: "indexes",
                access: .permission(.collectionsManage), requestSchema: "IndexCreate",
                responses: [
                    .init(status: 201, description: "Created and ready", schema: "Index"),
                    .init(status: 202, description: "Created; being built in the background", schema: "Index"),
                ]
            ) { request, context in
                let definition = try IndexDefinition.parse(try await RequestBody.json(request, context: context))
                let info = try await context.tenantStore().createIndex(
                    definition, on: try context.collectionName(), placement: try context.tenantPlacement())
                return ResponseJSON.response(info.state == .building ? .accepted : .created, ResponseJSON.index(info))
            },
            RouteDefinition(
                method: .get, path: "/v1/collections/{collection}/indexes", operationID: "listIndexes",
                summary: "List a collection's indexes",
                tag: "indexes", access: .permission(.documentsRead),
                responses: [.init(status: 200, description: "The indexes", schema: "IndexList")]
            ) { _, context in
                let indexes = try await context.tenantStore().indexes(
                    on: try context.collectionName(), placement: try context.tenantPlacement())
                return ResponseJSON.response(
                    .ok, .object(JSONObject(members: [.init(key: "indexes", value: .array(indexes.map(ResponseJSON.index)))])))
            },
            RouteDefinition(
                method: .delete, path: "/v1/collections/{collection}/indexes/{index}", operationID: "dropIndex", summary: "Drop an index",
                tag: "indexes", access: .permission(.collectionsManage),
                responses: [.init(status: 204, description: "Dropped", schema: nil)]
            ) { _, context in
                try await context.tenantStore().dropIndex(
                    try context.pathParameter("index"), on: try context.collectionName(),
                    placement: try context.tenantPlacement())
                return ResponseJSON.noContent()
            },
        ]
    }
}

extension AerolithRequestContext {
    func collectionName() throws -> CollectionName { try CollectionName(try pathParameter("collection")) }
    func documentID() throws -> DocumentID { try DocumentID(try pathParameter("id")) }
}
