import Foundation
import Testing

@Suite(.serialized) struct DocumentAPITests {
    @Test func walkthroughFromAdminKeyToQuery() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"users"}"#).status == 201)
        let created = try await tenant.send(.POST, "/v1/collections/users/documents", body: #"{"id":"ann","name":"Ann","age":31}"#)
        #expect(created.status == 201)
        #expect(created.headers.first(name: "ETag") == "\"1\"")
        #expect(created.headers.first(name: "Location") == "/v1/collections/users/documents/ann")
        #expect((created.json["data"] as? [String: Any])?["name"] as? String == "Ann")
        #expect((created.json["data"] as? [String: Any])?["id"] == nil)
        let generated = try await tenant.send(.POST, "/v1/collections/users/documents", body: #"{"name":"Bob","age":25}"#)
        #expect(generated.status == 201 && generated.string("id")?.count == 26)

        let page = try await tenant.send(
            .POST, "/v1/collections/users/query", body: #"{"filter":{"age":{"$gt":20}},"sort":["-age"],"limit":1}"#)
        #expect(page.status == 200)
        let documents = page.json["documents"] as? [[String: Any]] ?? []
        #expect(documents.map { $0["id"] as? String } == ["ann"])
        let cursor = try #require(page.string("next_cursor"))
        let next = try await tenant.send(
            .POST, "/v1/collections/users/query",
            body: #"{"filter":{"age":{"$gt":20}},"sort":["-age"],"limit":1,"cursor":"\#(cursor)"}"#)
        #expect((next.json["documents"] as? [[String: Any]])?.first?["data"] as? [String: Any] != nil)
        #expect(next.json["next_cursor"] is NSNull)

        let collections = try await tenant.send(.GET, "/v1/collections")
        let users = (collections.json["collections"] as? [[String: Any]])?.first
        #expect(users?["document_count"] as? Int == 2)
        #expect((users?["size_bytes"] as? Int ?? 0) > 0)
        #expect(try await tenant.send(.DELETE, "/v1/collections/users").status == 204)
        #expect(try await tenant.send(.GET, "/v1/collections/users/documents/ann").code == "collection_not_found")
    }

    @Test func conditionalRequests() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        _ = try await tenant.send(.POST, "/v1/collections", body: #"{"name":"c"}"#)
        let path = "/v1/collections/c/documents/doc-1"
        let created = try await tenant.send(.PUT, path, body: #"{"a":1}"#, headers: [("If-None-Match", "*")])
        #expect(created.status == 201)
        let again = try await tenant.send(.PUT, path, body: #"{"a":2}"#, headers: [("If-None-Match", "*")])
        #expect(again.status == 412 && again.code == "document_exists")
        #expect(try await tenant.send(.PUT, path, body: #"{"a":2}"#, headers: [("If-Match", "\"7\"")]).status == 412)
        let replaced = try await tenant.send(.PUT, path, body: #"{"a":2}"#, headers: [("If-Match", "\"1\"")])
        #expect(replaced.status == 200 && replaced.headers.first(name: "ETag") == "\"2\"")
        let patched = try await tenant.send(
            .PATCH, path, body: #"{"b":{"c":true},"a":null}"#, headers: [("If-Match", "\"2\"")],
            contentType: "application/merge-patch+json")
        #expect(patched.status == 200)
        #expect(patched.json["data"] as? [String: [String: Bool]] == ["b": ["c": true]])
        #expect(try await tenant.send(.PATCH, path, body: #"{"x":1}"#, headers: [("If-Match", "\"2\"")]).status == 412)
        // Path segments are percent-decoded: an id with ':' is reachable however a client encodes it.
        #expect(try await tenant.send(.PUT, "/v1/collections/c/documents/ns%3Aone", body: "{}").status == 201)
        #expect(try await tenant.send(.GET, "/v1/collections/c/documents/ns:one").status == 200)
        let notModified = try await tenant.send(.GET, path, headers: [("If-None-Match", "\"3\"")])
        #expect(notModified.status == 304)
        #expect(try await tenant.send(.PUT, "/v1/collections/c/documents/nope", body: "{}", headers: [("If-Match", "*")]).status == 412)
        #expect(try await tenant.send(.DELETE, path, headers: [("If-Match", "\"2\"")]).status == 412)
        #expect(try await tenant.send(.DELETE, path, headers: [("If-Match", "\"3\"")]).status == 204)
        #expect(try await tenant.send(.GET, path).status == 404)
    }

    @Test func batchesAreAtomicOverHTTP() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        _ = try await tenant.send(.POST, "/v1/collections", body: #"{"name":"c"}"#)
        _ = try await tenant.send(.POST, "/v1/collections/c/documents", body: #"{"id":"x","v":1}"#)
        let failed = try await tenant.send(
            .POST, "/v1/collections/c/batch",
            body: """
                {"operations":[{"op":"create","id":"y","data":{}},{"op":"patch","id":"x","patch":{"v":2},"if_match":1},
                {"op":"delete","id":"missing"}]}
                """)
        #expect(failed.status == 404 && failed.code == "document_not_found" && failed.json["operation_index"] as? Int == 2)
        #expect(try await tenant.send(.GET, "/v1/collections/c/documents/y").status == 404)
        #expect(try await tenant.send(.GET, "/v1/collections/c/documents/x").headers.first(name: "ETag") == "\"1\"")
        let applied = try await tenant.send(
            .POST, "/v1/collections/c/batch",
            body: """
                {"operations":[{"op":"create","id":"y","data":{}},{"op":"patch","id":"x","patch":{"v":2},"if_match":1},
                {"op":"replace","id":"z","data":{"z":1}},{"op":"delete","id":"y"}]}
                """)
        #expect(applied.status == 200)
        #expect((applied.json["results"] as? [[String: Any]])?.map { $0["status"] as? Int } == [201, 200, 201, 204])
    }

    @Test func indexesAndQueryPlans() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        _ = try await tenant.send(.POST, "/v1/collections", body: #"{"name":"orders"}"#)
        for index in 0..<40 {
            _ = try await tenant.send(.POST, "/v1/collections/orders/documents", body: #"{"customer":"c\#(index % 4)","total":\#(index)}"#)
        }
        let query = #"{"filter":{"customer":"c1"},"sort":["-total"],"limit":100"#
        let before = try await tenant.send(.POST, "/v1/collections/orders/query", body: query + "}")
        let index = try await tenant.send(.POST, "/v1/collections/orders/indexes", body: #"{"name":"by_customer","paths":["customer"]}"#)
        #expect(index.status == 201)
        let plan = try await tenant.send(.POST, "/v1/collections/orders/query", body: query + #","explain":true}"#)
        #expect(TestStorage.planUsesIndex(plan.json["plan"] as? [String], named: "by_customer"), "\(plan.body)")
        let after = try await tenant.send(.POST, "/v1/collections/orders/query", body: query + "}")
        #expect(before.body == after.body)
        #expect((before.json["documents"] as? [Any])?.count == 10)
        let listed = try await tenant.send(.GET, "/v1/collections/orders/indexes")
        #expect((listed.json["indexes"] as? [[String: Any]])?.first?["name"] as? String == "by_customer")
        #expect(try await tenant.send(.DELETE, "/v1/collections/orders/indexes/by_customer").status == 204)
        #expect(try await tenant.send(.DELETE, "/v1/collections/orders/indexes/by_customer").code == "index_not_found")
    }

    /// Every route in the OpenAPI document is served, and the served routes are all documented.
    @Test func openAPIDocumentDescribesEveryRoute() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        let document = try await HTTP.send(.GET, server.baseURL + "/openapi.json")
        #expect(document.status == 200 && document.json["openapi"] as? String == "3.1.0")
        let paths = try #require(document.json["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys {
                documented.insert("\(method.uppercased()) \(path)")
                let concrete = path.replacingOccurrences(of: "{collection}", with: "c").replacingOccurrences(of: "{id}", with: "d")
                    .replacingOccurrences(of: "{tenant}", with: tenant.tenantID).replacingOccurrences(of: "{key}", with: "k")
                    .replacingOccurrences(of: "{index}", with: "i").replacingOccurrences(of: "{name}", with: "p").replacingOccurrences(
                        of: "{function}", with: "f")
                let reply = try await tenant.send(
                    .init(rawValue: method.uppercased()), concrete, body: method == "get" || method == "delete" ? nil : "{}")
                #expect(reply.code != "route_not_found", "\(method) \(path) is documented but not served")
                #expect(reply.status < 500, "\(method) \(path) answered \(reply.status)")
            }
        }
        let expected: Set<String> = [
            "GET /health/live", "GET /health/ready", "GET /metrics", "GET /openapi.json",
            "POST /v1/tenants", "GET /v1/tenants", "GET /v1/tenants/{tenant}", "POST /v1/tenants/{tenant}/keys",
            "GET /v1/tenants/{tenant}/keys", "DELETE /v1/tenants/{tenant}/keys/{key}", "POST /v1/auth/tenants",
            "POST /v1/collections", "GET /v1/collections", "GET /v1/collections/{collection}", "DELETE /v1/collections/{collection}",
            "POST /v1/collections/{collection}/documents", "GET /v1/collections/{collection}/documents/{id}",
            "PUT /v1/collections/{collection}/documents/{id}", "PATCH /v1/collections/{collection}/documents/{id}",
            "DELETE /v1/collections/{collection}/documents/{id}", "POST /v1/collections/{collection}/query",
            "POST /v1/collections/{collection}/batch", "POST /v1/collections/{collection}/indexes",
            "GET /v1/collections/{collection}/indexes", "DELETE /v1/collections/{collection}/indexes/{index}",
            "GET /v1/plugins", "GET /v1/plugins/{name}", "POST /v1/plugins/{name}/functions/{function}",
            "POST /v1/plugins/{name}/enable", "POST /v1/plugins/{name}/disable", "POST /v1/plugins/{name}/reload",
            "POST /v1/tenants/{tenant}/plugins/{name}", "DELETE /v1/tenants/{tenant}/plugins/{name}", "GET /v1/usage",
            "PATCH /v1/tenants/{tenant}", "POST /v1/signup", "POST /v1/auth/login", "POST /v1/auth/refresh", "POST /v1/auth/logout",
            "GET /v1/auth/sessions", "DELETE /v1/auth/sessions/{session}", "GET /v1/me", "POST /v1/me/password",
            "POST /v1/auth/signing-keys/rotate", "GET /v1/users", "POST /v1/users", "GET /v1/users/{user}", "PATCH /v1/users/{user}",
            "DELETE /v1/users/{user}", "POST /v1/keys", "GET /v1/keys", "DELETE /v1/keys/{key}", "GET /v1/roles", "POST /v1/roles",
            "DELETE /v1/roles/{role}",
        ]
        #expect(documented == expected)
        #expect(try await tenant.send(.GET, "/v1/nothing-here").code == "route_not_found")
        let wrongMethod = try await tenant.send(.PATCH, "/v1/collections/c")
        #expect(wrongMethod.status == 405 && wrongMethod.code == "method_not_allowed")
        #expect(wrongMethod.headers.first(name: "Allow") == "DELETE, GET")
    }

    @Test func healthAndMetrics() async throws {
        let server = try await ServerProcess(arguments: ServerProcess.metricsArguments)
        #expect(try await HTTP.send(.GET, server.baseURL + "/health/live").status == 200)
        #expect(try await HTTP.send(.GET, server.baseURL + "/health/ready").status == 200)
        let metrics = try await server.metrics()
        #expect(metrics.status == 200 && metrics.contentType.hasPrefix("text/plain"))
        #expect(metrics.body.contains("hb_requests"))
        #expect(metrics.body.contains("aerolith_storage_transactions_total"))
        let echoed = try await HTTP.send(.GET, server.baseURL + "/health/live", headers: [("X-Request-ID", "trace-123")])
        #expect(echoed.headers.first(name: "X-Request-ID") == "trace-123")
    }
}
