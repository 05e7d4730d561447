import Foundation
import OpenAPIKit
import Testing

/// The served `/openapi.json` is a valid OpenAPI 3.1 document: it decodes without a warning
/// and passes the specification's validations plus the stricter ones below.
@Suite struct OpenAPIDocumentTests {
    /// The default validations (unique operation ids, every `$ref` found, ...) and these.
    static func validator() -> Validator {
        Validator().validating(
            \.documentContainsPaths, \.pathsContainOperations, \.operationsContainResponses, \.pathParametersAreDefined,
            \.schemaComponentsAreDefined, \.jsonSchemaNumericBoundIsValid, \.jsonSchemaArrayLengthBoundIsValid,
            \.jsonSchemaObjectPropertyCountIsValid, \.jsonSchemaStringLengthBoundIsValid
        )
    }

    static func servedDocument() async throws -> (OpenAPI.Document, HTTP.Reply) {
        let server = try await ServerProcess()
        let reply = try await HTTP.send(.GET, server.baseURL + "/openapi.json")
        #expect(reply.status == 200 && reply.contentType == "application/json")
        return (try JSONDecoder().decode(OpenAPI.Document.self, from: Data(reply.body.utf8)), reply)
    }

    @Test func servedDocumentIsValid() async throws {
        let (document, _) = try await Self.servedDocument()
        #expect(document.openAPIVersion == .v3_1_0)
        let warnings = try document.validate(using: Self.validator(), strict: true)
        #expect(warnings.isEmpty, "\(warnings)")
    }

    /// Every operation answers problems as `application/problem+json`; every credentialed one
    /// names the bearer scheme and the permission it needs.
    @Test func operationsDescribeTheirAccessAndProblems() async throws {
        let (document, _) = try await Self.servedDocument()
        let problemType = try #require(OpenAPI.ContentType(rawValue: "application/problem+json"))
        #expect(document.components.securitySchemes["bearerAuth"] != nil)
        for route in document.routes {
            for endpoint in route.pathItem.endpoints {
                let operation = endpoint.operation
                let name = operation.operationId ?? "\(endpoint.method.rawValue) \(route.path.rawValue)"
                let fallback = operation.responses[status: .default]?.b
                #expect(fallback?.content[problemType] != nil, "\(name) has no default problem response")
                if let security = operation.security {
                    #expect(security.count == 1 && security[0].keys.compactMap { $0.name } == ["bearerAuth"], "\(name)")
                    #expect(operation.vendorExtensions["x-permission"] != nil, "\(name) names no permission")
                }
            }
        }
    }

    /// The validation the suite relies on does refuse a broken document.
    @Test func validationRefusesADanglingReference() async throws {
        var (document, _) = try await Self.servedDocument()
        document.components.schemas["Health"] = .object(properties: ["status": .reference(.component(named: "NoSuchSchema"))])
        #expect(throws: (any Error).self) { try document.validate(using: Self.validator()) }
    }
}
