import Foundation
import NIOHTTP1
import Testing

/// The one guard every route passes, core and plugin-mounted alike: the same authorization
/// hooks, the same usage record after the handler; and HEAD as the router derives it from GET.
@Suite struct RouteGuardTests {
    /// The usage records the metering fixture kept, oldest first.
    static func records(_ tenant: TenantFixture) async throws -> [[String: Any]] {
        try await tenant.send(.GET, "/v1/metering").json["records"] as? [[String: Any]] ?? []
    }

    @Test func aPluginMountedRoutePublishesAUsageRecordOfTheRequestAsItEnded() async throws {
        let server = try await MetricsProtectionTests.meteringServer()
        let tenant = try await TenantFixture.make(server: server)
        let posted = try await tenant.send(.POST, "/v1/metering", body: "0123456789")
        #expect(posted.status == 200)
        #expect(try await tenant.send(.GET, "/v1/collections/missing").status == 404)
        var records: [[String: Any]] = []
        try await PluginHookTests.eventually("the records of both requests") {
            records = try await Self.records(tenant)
            return records.contains { $0["method"] as? String == "POST" } && records.contains { $0["status"] as? Int == 404 }
        }
        let mounted = try #require(records.first { $0["method"] as? String == "POST" })
        #expect(mounted["kind"] as? String == "api_call" && mounted["quantity"] as? Int == 1)
        #expect(mounted["status"] as? Int == 200)
        #expect(mounted["request_bytes"] as? Int == 10)
        #expect(mounted["response_bytes"] as? Int == posted.body.utf8.count)
        #expect((mounted["duration_us"] as? Int ?? -1) >= 0)
        #expect((mounted["idempotency_id"] as? String ?? "").hasPrefix("use_"))
        // A core route's handler error is recorded with the status its problem response carries.
        let failed = try #require(records.first { $0["status"] as? Int == 404 })
        #expect(failed["method"] as? String == "GET" && (failed["response_bytes"] as? Int ?? 0) > 0)
        let ids = records.compactMap { $0["idempotency_id"] as? String }
        #expect(Set(ids).count == ids.count)
    }

    @Test func anAuthorizationHookDeniesAPluginMountedRouteAsItDeniesACoreRoute() async throws {
        let server = try await ServerProcess()
        let plugins = try PluginHookTests.pluginDirectory(of: server)
        try PluginHookTests.install(PluginHookTests.hooksFixture, as: "fixture.so", in: plugins)
        try await PluginHookTests.eventually("the plugin to load") {
            try await PluginHookTests.admin(server, .GET, "/v1/plugins/fixture").string("state") == "enabled"
        }
        let acme = try await TenantFixture.make(server: server)
        #expect(try await PluginHookTests.admin(server, .POST, "/v1/tenants/\(acme.tenantID)/plugins/fixture").status == 200)
        let core = try await acme.send(.GET, "/v1/collections/secret/documents/x")
        let mounted = try await acme.send(.GET, "/v1/fixture/collections/secret")
        #expect(core.status == 403 && core.code == "plugin_denied" && core.string("detail") == "secret is closed by fixture")
        #expect(mounted.status == core.status && mounted.code == core.code && mounted.string("detail") == core.string("detail"))
        // What the hook allows, the plugin's route serves.
        #expect(try await acme.send(.GET, "/v1/fixture/open").status == 200)
    }

    @Test func headOnADocumentAnswersLikeGetWithoutABody() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201)
        #expect(try await tenant.send(.POST, "/v1/collections/notes/documents", body: #"{"id":"n1","text":"hello"}"#).status == 201)
        let get = try await tenant.send(.GET, "/v1/collections/notes/documents/n1")
        let head = try await tenant.send(.HEAD, "/v1/collections/notes/documents/n1")
        #expect(get.status == 200 && !get.body.isEmpty)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.headers.first(name: "ETag") == get.headers.first(name: "ETag") && head.contentType == get.contentType)
        let etag = try #require(get.headers.first(name: "ETag"))
        #expect(try await tenant.send(.HEAD, "/v1/collections/notes/documents/n1", headers: [("If-None-Match", etag)]).status == 304)
        let missing = try await tenant.send(.HEAD, "/v1/collections/notes/documents/absent")
        #expect(missing.status == 404 && missing.body.isEmpty)
        // Guarded like the GET: no credential, no answer.
        #expect(try await HTTP.send(.HEAD, server.baseURL + "/v1/collections/notes/documents/n1").status == 401)
    }
}
