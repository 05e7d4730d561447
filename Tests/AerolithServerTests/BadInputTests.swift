import Foundation
import NIOHTTP1
import Testing

/// Every kind of bad input gets a 4xx problem with a stable code, and changes nothing stored.
@Suite(.serialized) struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        let method: HTTPMethod
        let path: String
        var body: String?
        var headers: [(String, String)] = []
        var contentType: String? = "application/json"
        let status: Int
        let code: String
        var description: String { "\(method) \(path) \(body?.prefix(40) ?? "")" }
    }

    static let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
    static let tooLargeDocument = #"{"blob":""# + String(repeating: "x", count: 1_048_600) + #""}"#
    static let oversizedBody = #"{"blob":""# + String(repeating: "y", count: 2 * 1_048_576 + 10) + #""}"#
    static let docs = "/v1/collections/items/documents"

    static let cases: [Case] = [
        Case(method: .POST, path: docs, body: #"{"a":"#, status: 400, code: "invalid_json"),
        Case(method: .POST, path: docs, body: #"{"a":1,"a":2}"#, status: 400, code: "invalid_json"),
        Case(method: .POST, path: docs, body: "[1,2]", status: 400, code: "body_not_object"),
        Case(method: .POST, path: docs, body: "\"text\"", status: 400, code: "body_not_object"),
        Case(method: .POST, path: docs, body: "", status: 400, code: "empty_body"),
        Case(method: .POST, path: docs, body: #"{"deep":\#(deep)}"#, status: 400, code: "json_too_deep"),
        Case(method: .POST, path: docs, body: tooLargeDocument, status: 413, code: "json_too_large"),
        Case(method: .POST, path: docs, body: oversizedBody, status: 413, code: "body_too_large"),
        Case(
            method: .POST, path: docs, body: "a=1", contentType: "application/x-www-form-urlencoded", status: 415,
            code: "unsupported_media_type"),
        Case(method: .POST, path: docs, body: #"{"id":"../../etc/passwd"}"#, status: 400, code: "invalid_document_id"),
        Case(method: .POST, path: docs, body: #"{"id":"x'; DROP TABLE t;--"}"#, status: 400, code: "invalid_document_id"),
        Case(method: .POST, path: docs, body: #"{"id":42}"#, status: 400, code: "invalid_document_id"),
        Case(method: .POST, path: docs, body: #"{"id":"a\u0000b"}"#, status: 400, code: "invalid_document_id"),
        Case(
            method: .POST, path: docs, body: #"{"id":"\#(String(repeating: "i", count: 129))"}"#, status: 400, code: "invalid_document_id"),
        Case(method: .GET, path: docs + "/..", status: 400, code: "invalid_document_id"),
        Case(method: .GET, path: docs + "/%2e%2e", status: 400, code: "invalid_document_id"),
        Case(method: .GET, path: docs + "/a%00b", status: 400, code: "invalid_document_id"),
        Case(method: .GET, path: "/v1/collections/..%2fsys/documents/x", status: 400, code: "invalid_collection_name"),
        Case(method: .GET, path: "/v1/collections/items%3BDROP%20TABLE%20x/documents/x", status: 400, code: "invalid_collection_name"),
        Case(method: .POST, path: "/v1/collections", body: #"{"name":""}"#, status: 400, code: "invalid_collection_name"),
        Case(
            method: .POST, path: "/v1/collections", body: #"{"name":"\#(String(repeating: "n", count: 65))"}"#, status: 400,
            code: "invalid_collection_name"),
        Case(method: .POST, path: "/v1/collections", body: #"{"name":"bad\u0007name"}"#, status: 400, code: "invalid_collection_name"),
        Case(
            method: .POST, path: "/v1/collections", body: #"{"name":"x\"; DROP TABLE sys_c1; --"}"#, status: 400,
            code: "invalid_collection_name"),
        Case(method: .POST, path: "/v1/collections", body: #"{"name":"items"}"#, status: 409, code: "collection_exists"),
        Case(method: .POST, path: "/v1/collections", body: #"{"name":5}"#, status: 400, code: "invalid_parameter"),
        Case(method: .POST, path: "/v1/collections", body: #"{"name":"ok","extra":1}"#, status: 400, code: "invalid_parameter"),
        Case(
            method: .POST, path: "/v1/collections/items/query", body: #"{"filter":{"a":{"$regex":"x"}}}"#, status: 400,
            code: "invalid_filter"),
        Case(
            method: .POST, path: "/v1/collections/items/query", body: #"{"filter":{"a":{"$gt":[1]}}}"#, status: 400, code: "invalid_filter"),
        Case(method: .POST, path: "/v1/collections/items/query", body: #"{"filter":{"a":{"$in":5}}}"#, status: 400, code: "invalid_filter"),
        Case(method: .POST, path: "/v1/collections/items/query", body: #"{"filter":"a=1"}"#, status: 400, code: "invalid_filter"),
        Case(
            method: .POST, path: "/v1/collections/items/query", body: #"{"filter":{"a') OR 1=1 --":1}}"#, status: 400,
            code: "invalid_filter"),
        Case(
            method: .POST, path: "/v1/collections/items/query", body: #"{"cursor":"eyJzIjoiMCJ9.AAAA"}"#, status: 400,
            code: "invalid_cursor"),
        Case(method: .POST, path: "/v1/collections/items/query", body: #"{"cursor":"not a cursor"}"#, status: 400, code: "invalid_cursor"),
        Case(method: .POST, path: "/v1/collections/items/query", body: #"{"limit":100000}"#, status: 400, code: "invalid_limit"),
        Case(method: .POST, path: "/v1/collections/items/query", body: #"{"sort":["a b"]}"#, status: 400, code: "invalid_sort"),
        Case(
            method: .POST, path: "/v1/collections/items/batch", body: #"{"operations":[{"op":"drop"}]}"#, status: 400, code: "invalid_batch"
        ),
        Case(method: .POST, path: "/v1/collections/items/indexes", body: #"{"paths":["a;DROP"]}"#, status: 400, code: "invalid_index"),
        Case(method: .PUT, path: docs + "/keep", body: #"{"id":"other"}"#, status: 400, code: "id_mismatch"),
        Case(method: .PUT, path: docs + "/keep", body: "{}", headers: [("If-Match", "banana")], status: 400, code: "invalid_header"),
        Case(method: .PATCH, path: docs + "/keep", body: "[1]", status: 400, code: "body_not_object"),
        Case(method: .GET, path: "/v1/collections/nope/documents/x", status: 404, code: "collection_not_found"),
        Case(method: .GET, path: "/v1/tenants", status: 403, code: "forbidden"),
        Case(method: .POST, path: "/v1/tenants", body: #"{"name":"evil"}"#, status: 403, code: "forbidden"),
    ]

    @Test func everyBadInputIsRefusedAndNothingChanges() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        _ = try await tenant.send(.POST, "/v1/collections", body: #"{"name":"items"}"#)
        let kept = try await tenant.send(.POST, Self.docs, body: #"{"id":"keep","n":1}"#)
        #expect(kept.status == 201)
        for badCase in Self.cases {
            let reply = try await tenant.send(
                badCase.method, badCase.path, body: badCase.body, headers: badCase.headers, contentType: badCase.contentType)
            #expect(reply.status == badCase.status, "\(badCase): \(reply.status) \(reply.body.prefix(200))")
            #expect(reply.code == badCase.code, "\(badCase): \(reply.body.prefix(200))")
            #expect(reply.contentType == "application/problem+json", "\(badCase)")
        }
        let after = try await tenant.send(.GET, Self.docs + "/keep")
        #expect(after.body == kept.body)
        let collections = try await tenant.send(.GET, "/v1/collections")
        #expect((collections.json["collections"] as? [[String: Any]])?.map { $0["name"] as? String } == ["items"])
        #expect((collections.json["collections"] as? [[String: Any]])?.first?["document_count"] as? Int == 1)
    }

    @Test func credentialsAreChecked() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        let url = server.baseURL + "/v1/collections"
        for header in [
            nil, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer ak_doesnotexist", "Bearer \(tenant.key)x", "Token \(tenant.key)",
        ] {
            let reply = try await HTTP.send(.GET, url, headers: header.map { [("Authorization", $0)] } ?? [])
            #expect(reply.status == 401 && reply.code == "unauthenticated", "\(header ?? "none")")
            #expect(reply.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
        // A revoked key stops working on the next request.
        let admin = try server.adminKey
        let keys = try await HTTP.send(.GET, server.baseURL + "/v1/tenants/\(tenant.tenantID)/keys", key: admin)
        let keyID = try #require((keys.json["keys"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try await HTTP.send(.GET, url, key: tenant.key).status == 200)
        #expect(try await HTTP.send(.DELETE, server.baseURL + "/v1/tenants/\(tenant.tenantID)/keys/\(keyID)", key: admin).status == 204)
        #expect(try await HTTP.send(.GET, url, key: tenant.key).code == "unauthenticated")
        // The admin key cannot use tenant routes; a viewer cannot write.
        #expect(try await HTTP.send(.GET, url, key: admin).status == 403)
        let viewer = try await TenantFixture.make(server: server, name: "Viewers", role: "viewer")
        #expect(try await viewer.send(.GET, "/v1/collections").status == 200)
        #expect(try await viewer.send(.POST, "/v1/collections", body: #"{"name":"x"}"#).code == "forbidden")
    }

    /// Tenant B cannot see, change or even detect tenant A's documents: 404, never 403.
    @Test func tenantsAreIsolated() async throws {
        let server = try await ServerProcess()
        let alpha = try await TenantFixture.make(server: server, name: "Alpha")
        let beta = try await TenantFixture.make(server: server, name: "Beta")
        _ = try await alpha.send(.POST, "/v1/collections", body: #"{"name":"secrets"}"#)
        _ = try await alpha.send(.POST, "/v1/collections/secrets/documents", body: #"{"id":"s1","v":"alpha"}"#)
        #expect(try await beta.send(.GET, "/v1/collections/secrets/documents/s1").status == 404)
        _ = try await beta.send(.POST, "/v1/collections", body: #"{"name":"secrets"}"#)
        for (method, body) in [(HTTPMethod.GET, nil), (.PUT, #"{"v":"beta"}"#), (.PATCH, #"{"v":"beta"}"#), (.DELETE, nil)]
            as [(HTTPMethod, String?)]
        {
            let reply = try await beta.send(
                method, "/v1/collections/secrets/documents/s1", body: body, headers: method == .PUT ? [("If-Match", "\"1\"")] : [])
            #expect([404, 412].contains(reply.status), "\(method) \(reply.status)")
        }
        let query = try await beta.send(.POST, "/v1/collections/secrets/query", body: "{}")
        #expect((query.json["documents"] as? [Any])?.isEmpty == true)
        let original = try await alpha.send(.GET, "/v1/collections/secrets/documents/s1")
        #expect((original.json["data"] as? [String: String])?["v"] == "alpha" && original.headers.first(name: "ETag") == "\"1\"")
        let tenantBody = try await HTTP.send(
            .POST, server.baseURL + "/v1/collections/secrets/documents", key: beta.key,
            body: #"{"id":"s2","tenant":"\#(alpha.tenantID)"}"#)
        #expect(tenantBody.status == 201)
        #expect(try await alpha.send(.GET, "/v1/collections/secrets/documents/s2").status == 404)
    }
}
