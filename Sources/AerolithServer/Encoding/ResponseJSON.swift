import AerolithJSON
import AerolithPlatform
import AerolithStorage
import HTTPTypes
import Hummingbird

/// Builds JSON responses. Documents are written by splicing the stored body text into the
/// envelope, so a read never re-parses or re-serialises a document.
enum ResponseJSON {
    static func response(_ status: HTTPResponse.Status = .ok, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        response(status, bytes: JSONWriter.bytes(value), headers: headers)
    }

    static func response(_ status: HTTPResponse.Status, bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func noContent() -> Response { Response(status: .noContent) }

    /// `{"id","version","created_at","updated_at","data"}` for one document, with its ETag.
    static func document(_ document: Document, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(document.body.utf8.count + 128)
        write(document, into: &bytes)
        return response(status, bytes: bytes, headers: [.eTag: etag(document.version)])
    }

    static func etag(_ version: Int64) -> String { "\"\(version)\"" }

    static func write(_ document: Document, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"{"id":"#.utf8)
        JSONWriter.writeString(document.id, into: &bytes)
        bytes.append(contentsOf: #","version":"#.utf8)
        bytes.append(contentsOf: String(document.version).utf8)
        bytes.append(contentsOf: #","created_at":""#.utf8)
        bytes.append(contentsOf: document.createdAt.rfc3339.utf8)
        bytes.append(contentsOf: #"","updated_at":""#.utf8)
        bytes.append(contentsOf: document.updatedAt.rfc3339.utf8)
        bytes.append(contentsOf: #"","data":"#.utf8)
        bytes.append(contentsOf: document.body.utf8)
        bytes.append(UInt8(ascii: "}"))
    }

    static func documents(_ documents: [Document], into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "["))
        for (index, document) in documents.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(document, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    static func collection(_ info: CollectionInfo) -> JSONValue {
        .object(
            JSONObject(members: [
                .init(key: "name", value: .string(info.name)),
                .init(key: "created_at", value: .string(info.createdAt.rfc3339)),
                .init(key: "document_count", value: .integer(info.documentCount)),
                .init(key: "size_bytes", value: .integer(info.sizeBytes)),
            ]))
    }

    static func index(_ info: IndexInfo) -> JSONValue {
        .object(
            JSONObject(
                members: [
                    .init(key: "name", value: .string(info.name)),
                    .init(key: "paths", value: .array(info.paths.map(JSONValue.string))),
                    .init(key: "unique", value: .bool(info.unique)),
                    .init(key: "created_at", value: .string(info.createdAt.rfc3339)),
                    .init(key: "state", value: .string(info.state.rawValue)),
                ] + (info.failure.map { [JSONObject.Member(key: "failure", value: .string($0))] } ?? [])))
    }

    /// `slugDerived` (creation only): whether the slug was derived from the name, the caller
    /// having chosen none.
    static func tenant(_ tenant: Tenant, slugDerived: Bool? = nil) -> JSONValue {
        var object = JSONObject(members: [
            .init(key: "id", value: .string(tenant.id)),
            .init(key: "slug", value: .string(tenant.slug)),
            .init(key: "name", value: .string(tenant.name)),
            .init(key: "plan", value: .string(tenant.plan.rawValue)),
            .init(key: "status", value: .string(tenant.status.rawValue)),
            .init(key: "created_at", value: .string(tenant.createdAt.rfc3339)),
            .init(
                key: "placement",
                value: .object(
                    JSONObject(members: [
                        .init(key: "database", value: .string(tenant.placement.database)),
                        .init(key: "table_prefix", value: .string(tenant.placement.tablePrefix)),
                    ]))),
        ])
        if let slugDerived { object.set("slug_derived", .bool(slugDerived)) }
        return .object(object)
    }

    static func key(_ key: APIKey, secret: String? = nil) -> JSONValue {
        var object = JSONObject(members: [
            .init(key: "id", value: .string(key.id)),
            .init(key: "tenant_id", value: key.tenantID.map(JSONValue.string) ?? .null),
            .init(key: "name", value: .string(key.name)),
            .init(key: "role", value: key.tenantID == nil ? .string("platform_admin") : key.role.map(JSONValue.string) ?? .null),
            .init(key: "permissions", value: key.permissions.map { .array($0.sorted().map { .string($0.rawValue) }) } ?? .null),
            .init(key: "collections", value: key.collections.map { .array($0.map(JSONValue.string)) } ?? .null),
            .init(key: "hint", value: .string(key.hint)),
            .init(key: "created_at", value: .string(key.createdAt.rfc3339)),
            .init(key: "revoked_at", value: key.revokedAt.map { .string($0.rfc3339) } ?? .null),
        ])
        if let secret { object.set("key", .string(secret)) }
        return .object(object)
    }

    static func user(_ user: User) -> JSONValue {
        .object(
            JSONObject(members: [
                .init(key: "id", value: .string(user.id)),
                .init(key: "tenant_id", value: .string(user.tenantID)),
                .init(key: "email", value: .string(user.email)),
                .init(key: "display_name", value: .string(user.displayName)),
                .init(key: "status", value: .string(user.status.rawValue)),
                .init(key: "roles", value: .array(user.roles.map(JSONValue.string))),
                .init(key: "created_at", value: .string(user.createdAt.rfc3339)),
                .init(key: "updated_at", value: .string(user.updatedAt.rfc3339)),
            ]))
    }

    static func session(_ session: Session, current: String?) -> JSONValue {
        .object(
            JSONObject(members: [
                .init(key: "id", value: .string(session.id)),
                .init(key: "current", value: .bool(session.id == current)),
                .init(key: "created_at", value: .string(session.createdAt.rfc3339)),
                .init(key: "last_used_at", value: .string(session.lastUsedAt.rfc3339)),
                .init(key: "expires_at", value: .string(session.expiresAt.rfc3339)),
            ]))
    }

    static func tokens(_ tokens: IssuedTokens) -> JSONObject {
        JSONObject(members: [
            .init(key: "access_token", value: .string(tokens.accessToken)),
            .init(key: "refresh_token", value: .string(tokens.refreshToken)),
            .init(key: "expires_in", value: .integer(Int64(tokens.expiresInSeconds))),
            .init(key: "token_type", value: .string("Bearer")),
            .init(key: "session_id", value: .string(tokens.sessionID)),
            .init(key: "user_id", value: .string(tokens.userID)),
            .init(key: "tenant_id", value: .string(tokens.tenantID)),
        ])
    }

    static func cursor(_ cursor: String?) -> JSONValue { cursor.map(JSONValue.string) ?? .null }
}
