import AerolithJSON
import AerolithStorage

/// Builds the OpenAPI 3.1 document from the route table, so every served route is documented
/// and nothing undocumented is served.
enum OpenAPIDocument {
    static func make(routes: [RouteDefinition], version: String) -> [UInt8] {
        var paths = JSONObject()
        for route in routes {
            var item = paths[route.path]?.objectValue ?? JSONObject()
            item.set(route.method.rawValue.lowercased(), .object(operation(route)))
            paths.set(route.path, .object(item))
        }
        // The components are this program's own text; the limits only need to admit it.
        let limits = JSONLimits(depthMax: 64, sizeBytesMax: OpenAPIComponents.json.utf8.count)
        guard case .object(let components)? = try? JSONParser.parse(OpenAPIComponents.json, limits: limits) else {
            preconditionFailure("OpenAPIComponents.json is not a JSON object")
        }
        let document = JSONObject(members: [
            .init(key: "openapi", value: .string("3.1.0")),
            .init(key: "info", value: .object(JSONObject(members: [
                .init(key: "title", value: .string("Aerolith")),
                .init(key: "version", value: .string(version)),
                .init(key: "description", value: .string("Multi-tenant JSON document database service. Errors are RFC 9457 problems with a stable `code`.")),
            ]))),
            .init(key: "paths", value: .object(paths)),
            .init(key: "components", value: .object(components)),
        ])
        return JSONWriter.bytes(.object(document))
    }

    private static func ref(_ schema: String) -> JSONValue {
        .object(JSONObject(members: [.init(key: "$ref", value: .string("#/components/schemas/\(schema)"))]))
    }

    private static func content(_ mediaType: String, schema: String) -> JSONValue {
        .object(JSONObject(members: [.init(key: mediaType, value: .object(JSONObject(members: [.init(key: "schema", value: ref(schema))])))]))
    }

    private static func operation(_ route: RouteDefinition) -> JSONObject {
        var operation = JSONObject(members: [
            .init(key: "operationId", value: .string(route.operationID)),
            .init(key: "summary", value: .string(route.summary)),
            .init(key: "tags", value: .array([.string(route.tag)])),
        ])
        var parameters: [JSONValue] = []
        for segment in route.path.split(separator: "/") where segment.hasPrefix("{") {
            let name = String(segment.dropFirst().dropLast())
            parameters.append(parameter(name: name, location: "path", schema: pathParameterSchema(name), required: true))
        }
        for header in route.headers {
            parameters.append(parameter(name: header, location: "header", schema: ["type": "string"], required: false))
        }
        for query in route.queryParameters {
            parameters.append(parameter(name: query.name, location: "query", schema: ["type": query.type], required: false))
        }
        if !parameters.isEmpty { operation.set("parameters", .array(parameters)) }
        switch route.access {
        case .open: break
        case .permission(let permission):
            operation.set("security", .array([.object(JSONObject(members: [.init(key: "bearerAuth", value: .array([]))]))]))
            operation.set("x-permission", .string(permission.rawValue))
        case .user:
            operation.set("security", .array([.object(JSONObject(members: [.init(key: "bearerAuth", value: .array([]))]))]))
            operation.set("x-permission", .string("signed-in user"))
        }
        if let schema = route.requestSchema {
            var media = JSONObject()
            for type in route.requestMediaTypes { media.set(type, .object(JSONObject(members: [.init(key: "schema", value: ref(schema))]))) }
            operation.set("requestBody", .object(JSONObject(members: [
                .init(key: "required", value: .bool(true)), .init(key: "content", value: .object(media)),
            ])))
        }
        var responses = JSONObject()
        for spec in route.responses {
            var response = JSONObject(members: [.init(key: "description", value: .string(spec.description))])
            if let schema = spec.schema {
                let mediaType = schema == "Problem" ? "application/problem+json" : spec.mediaType
                response.set("content", content(mediaType, schema: schema))
            }
            if spec.schema == "Document" {
                response.set("headers", .object(JSONObject(members: [.init(key: "ETag", value: .object(JSONObject(members: [
                    .init(key: "description", value: .string("The document's version, quoted")),
                    .init(key: "schema", value: .object(JSONObject(members: [.init(key: "type", value: .string("string"))]))),
                ])))])))
            }
            responses.set(String(spec.status), .object(response))
        }
        for status in route.problemStatuses where responses[String(status)] == nil {
            responses.set(String(status), .object(JSONObject(members: [
                .init(key: "description", value: .string("Problem")), .init(key: "content", value: content("application/problem+json", schema: "Problem")),
            ])))
        }
        responses.set("default", .object(JSONObject(members: [
            .init(key: "description", value: .string("Problem")), .init(key: "content", value: content("application/problem+json", schema: "Problem")),
        ])))
        operation.set("responses", .object(responses))
        return operation
    }

    private static func pathParameterSchema(_ name: String) -> [String: String] {
        switch name {
        case "collection": ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_-]{0,63}$"]
        case "id": ["type": "string", "pattern": "^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,127}$"]
        default: ["type": "string"]
        }
    }

    private static func parameter(name: String, location: String, schema: [String: String], required: Bool) -> JSONValue {
        .object(JSONObject(members: [
            .init(key: "name", value: .string(name)),
            .init(key: "in", value: .string(location)),
            .init(key: "required", value: .bool(required)),
            .init(key: "schema", value: .object(JSONObject(members: schema.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .string($0.value)) }))),
        ]))
    }
}
