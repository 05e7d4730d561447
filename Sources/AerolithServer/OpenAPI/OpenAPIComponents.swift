import AerolithPlatform
import AerolithStorage
import OpenAPIKit

/// Schemas of the OpenAPI document. Response schemas are exact (no additional properties) so
/// that schema-conformance testing catches any drift. Routes name them by key
/// (`RouteDefinition.requestSchema`, `ResponseSpec.schema`); the document's validation
/// (in the tests) refuses a name that is not here.
enum OpenAPIComponents {
    /// The schema of every error body (RFC 9457 with a stable `code`).
    static let problem = "Problem"

    static var schemas: OpenAPI.ComponentDictionary<JSONSchema> {
        var schemas = OpenAPI.ComponentDictionary<JSONSchema>()
        for (name, schema) in serverSchemas + platformSchemas + identitySchemas + dataSchemas + pluginSchemas {
            precondition(schemas[name] == nil, "schema \(name.rawValue) is defined twice")
            schemas[name] = schema
        }
        return schemas
    }

    /// Schemas of the server itself: problems, health, metrics, this document, shared scalars.
    private static var serverSchemas: [(OpenAPI.ComponentKey, JSONSchema)] {
        [
            (
                OpenAPI.ComponentKey(stringLiteral: problem),
                object(
                    required: ["type", "title", "status", "code", "detail"],
                    [
                        "type": text, "title": text, "status": integer, "code": text, "detail": text, "request_id": text,
                        "operation_index": integer,
                    ])
            ),
            ("Health", object(required: ["status"], ["status": text])),
            ("MetricsText", text),
            ("OpenAPIDocument", object(required: ["openapi", "paths"], closed: false, ["openapi": text, "paths": .object])),
            ("Timestamp", .string(format: .dateTime)),
        ]
    }

    // MARK: Vocabulary: the shapes the schemas are written in

    /// `$ref` to a schema of this document.
    static func ref(_ name: String) -> JSONSchema { .reference(.component(named: name)) }

    /// An object whose `required` properties must be present and every other listed one may be.
    /// `closed`: no properties but the listed ones (`additionalProperties: false`).
    static func object(
        required: [String] = [], closed: Bool = true, description: String? = nil, _ properties: KeyValuePairs<String, JSONSchema>
    ) -> JSONSchema {
        var members = OrderedDictionary<String, JSONSchema>()
        for (name, schema) in properties {
            members[name] = required.contains(name) ? schema : schema.optionalSchemaObject()
        }
        for name in required where members[name] == nil {
            preconditionFailure("required property \(name) is not among the object's properties")
        }
        return .object(description: description, properties: members, additionalProperties: closed ? .a(false) : nil)
    }

    /// Any one or more of the given schemas (`anyOf`); also how a value of several types is written.
    static func anyOf(_ schemas: JSONSchema...) -> JSONSchema { .any(of: schemas) }

    static func array(_ items: JSONSchema, nullable: Bool = false, minItems: Int? = nil, maxItems: Int? = nil) -> JSONSchema {
        .array(nullable: nullable, minItems: minItems, maxItems: maxItems, items: items)
    }

    /// A string that is one of the given values (`enum`).
    static func choice(_ values: String...) -> JSONSchema { choice(values) }
    static func choice(_ values: [String]) -> JSONSchema { .string(allowedValues: values.map { AnyCodable($0) }) }

    static let text: JSONSchema = .string
    static let nullableText: JSONSchema = .string(nullable: true)
    static let integer: JSONSchema = .integer
    static let boolean: JSONSchema = .boolean
    static let null: JSONSchema = .null()
    static let texts: JSONSchema = .array(items: .string)
    static let timestamp = ref("Timestamp")

    // MARK: Names the paths share with the bodies

    /// A collection's (and an index's) name.
    static let namePattern = "^[A-Za-z][A-Za-z0-9_-]{0,\(StorageLimits.collectionNameLengthBytesMax - 1)}$"
    static let collectionName: JSONSchema = .string(pattern: namePattern)
    static let documentID: JSONSchema = .string(pattern: "^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,\(StorageLimits.documentIDLengthBytesMax - 1)}$")
    static let plan = choice(Plan.allCases.map(\.rawValue))
    static let activeOrSuspended = choice(Tenant.Status.allCases.map(\.rawValue))
}
