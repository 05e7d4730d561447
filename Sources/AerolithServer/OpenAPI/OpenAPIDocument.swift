import Foundation
import OpenAPIKit

/// Builds the OpenAPI 3.1 document from the route table, so every served route is documented
/// and nothing undocumented is served.
enum OpenAPIDocument {
    /// The security scheme every credentialed route names.
    static let bearerScheme: OpenAPI.ComponentKey = "bearerAuth"

    /// The document as served by `GET /openapi.json`: JSON with sorted keys.
    static func make(routes: [RouteDefinition], version: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(document(routes: routes, version: version)))
        } catch {
            // The document is made of this program's own values; encoding them cannot fail
            // but through a programming error.
            preconditionFailure("the OpenAPI document does not encode: \(error)")
        }
    }

    static func document(routes: [RouteDefinition], version: String) -> OpenAPI.Document {
        var paths = OpenAPI.PathItem.Map()
        for route in routes {
            let path = OpenAPI.Path(rawValue: route.path)
            var item = paths[path]?.pathItemValue ?? OpenAPI.PathItem()
            item.set(operation: operation(route), for: httpMethod(route))
            paths[path] = .b(item)
        }
        return OpenAPI.Document(
            openAPIVersion: .v3_1_0,
            info: .init(
                title: "Aerolith",
                description: "Multi-tenant JSON document database service. Errors are RFC 9457 problems with a stable `code`.",
                version: version
            ),
            servers: [],
            paths: paths,
            components: .init(
                schemas: OpenAPIComponents.schemas,
                securitySchemes: [
                    bearerScheme: .b(
                        .http(
                            scheme: "bearer",
                            description: "An API key (the platform admin key or a tenant key) or a user's access token"
                        ))
                ]
            )
        )
    }

    private static func httpMethod(_ route: RouteDefinition) -> OpenAPI.HttpMethod {
        guard let method = OpenAPI.HttpMethod(rawValue: route.method.rawValue) else {
            preconditionFailure("route method \(route.method) has no OpenAPI spelling")
        }
        return method
    }

    private static func operation(_ route: RouteDefinition) -> OpenAPI.Operation {
        var security: [OpenAPI.SecurityRequirement]?
        var extensions: [String: AnyCodable] = [:]
        switch route.access {
        case .open: break
        case .permission(let permission):
            security = [[.component(named: bearerScheme.rawValue): []]]
            extensions["x-permission"] = AnyCodable(permission.rawValue)
        case .user:
            security = [[.component(named: bearerScheme.rawValue): []]]
            extensions["x-permission"] = "signed-in user"
        }
        return OpenAPI.Operation(
            tags: [route.tag],
            summary: route.summary,
            operationId: route.operationID,
            parameters: parameters(route),
            requestBody: requestBody(route),
            responses: responses(route),
            security: security,
            vendorExtensions: extensions
        )
    }

    private static func parameters(_ route: RouteDefinition) -> OpenAPI.Parameter.Array {
        var parameters: OpenAPI.Parameter.Array = []
        for segment in route.path.split(separator: "/") where segment.hasPrefix("{") {
            let name = String(segment.dropFirst().dropLast())
            parameters.append(.parameter(.init(name: name, context: .path(schema: pathParameterSchema(name)))))
        }
        for header in route.headers {
            parameters.append(.parameter(.init(name: header, context: .header(required: false, schema: .string))))
        }
        for query in route.queryParameters {
            parameters.append(
                .parameter(.init(name: query.name, context: .query(required: false, schema: queryParameterSchema(query.type)))))
        }
        return parameters
    }

    private static func requestBody(_ route: RouteDefinition) -> OpenAPI.Request? {
        guard let schema = route.requestSchema else { return nil }
        var content = OpenAPI.Content.Map()
        for type in route.requestMediaTypes {
            content[contentType(type)] = .content(.init(schema: OpenAPIComponents.ref(schema)))
        }
        return OpenAPI.Request(content: content, required: true)
    }

    private static func responses(_ route: RouteDefinition) -> OpenAPI.Response.Map {
        var responses = OpenAPI.Response.Map()
        for spec in route.responses {
            var content = OpenAPI.Content.Map()
            if let schema = spec.schema {
                let mediaType = schema == OpenAPIComponents.problem ? problemMediaType : spec.mediaType
                content[contentType(mediaType)] = .content(.init(schema: OpenAPIComponents.ref(schema)))
            }
            var headers: OpenAPI.Header.Map?
            if spec.schema == "Document" {
                headers = ["ETag": .header(.init(schema: .string, description: "The document's version, quoted"))]
            }
            responses[.status(code: spec.status)] = .response(.init(description: spec.description, headers: headers, content: content))
        }
        for status in route.problemStatuses where responses[status: .status(code: status)] == nil {
            responses[.status(code: status)] = .response(problemResponse)
        }
        responses[.default] = .response(problemResponse)
        return responses
    }

    private static let problemMediaType = "application/problem+json"

    private static var problemResponse: OpenAPI.Response {
        .init(
            description: "Problem",
            content: [contentType(problemMediaType): .content(.init(schema: OpenAPIComponents.ref(OpenAPIComponents.problem)))])
    }

    private static func contentType(_ text: String) -> OpenAPI.ContentType {
        guard let type = OpenAPI.ContentType(rawValue: text) else { preconditionFailure("\(text) is not a media type") }
        return type
    }

    private static func pathParameterSchema(_ name: String) -> JSONSchema {
        switch name {
        case "collection": OpenAPIComponents.collectionName
        case "id": OpenAPIComponents.documentID
        default: .string
        }
    }

    private static func queryParameterSchema(_ type: String) -> JSONSchema {
        switch type {
        case "integer": .integer
        case "boolean": .boolean
        case "string": .string
        default: preconditionFailure("query parameter type \(type) is not one the document knows")
        }
    }
}
