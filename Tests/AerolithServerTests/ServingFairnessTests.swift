import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// One tenant, or anonymous clients, cannot stall the others: bounded and fair executors for
/// password hashing and blocking work, query budgets, and a sign-in throttle that holds under
/// concurrency. Checked over HTTP against the real server.
@Suite struct ServingFairnessTests {
    /// Many requests in flight at once (the shared client opens at most 8 connections per host).
    static func concurrently(_ count: Int, _ request: @escaping @Sendable (Int, HTTPClient) async throws -> HTTP.Reply) async throws
        -> [HTTP.Reply]
    {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: count)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let replies = try await withThrowingTaskGroup(of: HTTP.Reply.self) { group in
                for index in 0..<count { group.addTask { try await request(index, client) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await client.shutdown()
            return replies
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func post(_ client: HTTPClient, _ url: String, _ body: String, key: String? = nil) async throws -> HTTP.Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return HTTP.Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    @Test func concurrentWrongPasswordsAreCheckedOnlyUpToTheLimit() async throws {
        let fixture = try await IdentityFixture.start(
            identity: #""password_scrypt_log2_n": 10, "login_failures_per_account_max": 5, "login_failures_per_address_max": 1000"#)
        let owner = try await fixture.signup("Acme", email: "ann@example.com")
        let url = fixture.server.baseURL + "/v1/auth/login"
        let body = #"{"tenant":"\#(owner.tenantID)","email":"ann@example.com","password":"wrong password"}"#
        let replies = try await Self.concurrently(40) { _, client in try await Self.post(client, url, body) }
        // Each attempt is counted before its password is hashed: exactly the limit is checked.
        #expect(replies.filter { $0.code == "invalid_credentials" }.count == 5)
        #expect(replies.filter { $0.code == "too_many_attempts" }.count == 35)
    }

    @Test func aFloodOfSignInsIsShedWhileOtherTenantsAreServed() async throws {
        // A real hash cost, so that hashes queue up; no throttle in the way.
        let fixture = try await IdentityFixture.start(
            identity: #""password_scrypt_log2_n": 14, "login_failures_per_account_max": 1000, "login_failures_per_address_max": 100000"#)
        let owner = try await fixture.signup("Acme", email: "ann@example.com")
        let other = try await TenantFixture.make(server: fixture.server, name: "Other")
        #expect(try await other.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201)
        let url = fixture.server.baseURL + "/v1/auth/login"
        async let flood = Self.concurrently(80) { index, client in
            try await Self.post(
                client, url, #"{"tenant":"\#(owner.tenantID)","email":"nobody\#(index)@example.com","password":"guess guess"}"#)
        }
        // The other tenant's reads do not wait behind the hashes.
        for index in 0..<5 {
            #expect(try await other.send(.POST, "/v1/collections/notes/documents", body: #"{"n":\#(index)}"#).status == 201)
            #expect(try await other.send(.POST, "/v1/collections/notes/query", body: #"{"limit":5}"#).status == 200)
        }
        let replies = try await flood
        let shed = replies.filter { $0.status == 503 }
        #expect(!shed.isEmpty, "80 concurrent sign-ins were all queued for hashing")
        #expect(shed.allSatisfy { $0.code == "overloaded" && Int($0.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1 })
        #expect(replies.allSatisfy { $0.status == 503 || $0.code == "invalid_credentials" })
        // Nothing stays queued: the owner signs in once the flood is over.
        _ = try await fixture.login(owner.tenantID, email: "ann@example.com")
    }

    @Test func signInsNamingMadeUpTenantsShareOneQueue() async throws {
        let fixture = try await IdentityFixture.start(
            identity: #""password_scrypt_log2_n": 14, "login_failures_per_account_max": 1000, "login_failures_per_address_max": 100000"#)
        let owner = try await fixture.signup("Acme", email: "ann@example.com")
        let url = fixture.server.baseURL + "/v1/auth/login"
        // Each made-up tenant id would otherwise get a queue of its own and together fill the
        // server's; as one queue they are held to one tenant's share.
        async let flood = Self.concurrently(60) { index, client in
            try await Self.post(client, url, #"{"tenant":"tn_madeup\#(index)","email":"x@example.com","password":"guess guess"}"#)
        }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await fixture.login(owner.tenantID, email: "ann@example.com")
        let replies = try await flood
        #expect(replies.contains { $0.code == "overloaded" })
        #expect(replies.allSatisfy { $0.code == "overloaded" || $0.code == "invalid_credentials" })
    }

    @Test func aTenantsBacklogOfQueriesIsBoundedAndDelaysOnlyThatTenant() async throws {
        let configPath = NSTemporaryDirectory() + "aerolith-fair-\(UUID().uuidString).json"
        try #"{"blocking_threads": 2, "blocking_running_per_tenant_max": 1, "blocking_queued_per_tenant_max": 2}"#
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: configPath) }
        let server = try await ServerProcess(arguments: ["--config", configPath])
        let noisy = try await TenantFixture.make(server: server, name: "Noisy")
        let quiet = try await TenantFixture.make(server: server, name: "Quiet")
        for tenant in [noisy, quiet] { #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"items"}"#).status == 201) }
        for batch in 0..<30 {
            let operations = (0..<100).map {
                #"{"op":"create","id":"d\#(batch * 100 + $0)","data":{"name":"name-\#(batch * 100 + $0)","tag":"t\#($0 % 7)","n":\#($0)}}"#
            }
            let reply = try await noisy.send(
                .POST, "/v1/collections/items/batch", body: #"{"operations":[\#(operations.joined(separator: ","))]}"#)
            #expect(reply.status == 200)
        }
        #expect(try await quiet.send(.POST, "/v1/collections/items/documents", body: #"{"id":"only","n":1}"#).status == 201)
        let expensive =
            #"{"filter":{"$or":[\#((0..<31).map { #"{"name":{"$prefix":"name-\#($0)"}}"# }.joined(separator: ","))]},"sort":["tag","-name","n","-x"],"limit":10}"#
        let url = server.baseURL + "/v1/collections/items/query"
        let key = noisy.key
        async let backlog = Self.concurrently(12) { _, client in try await Self.post(client, url, expensive, key: key) }
        for _ in 0..<5 {
            let reply = try await quiet.send(.POST, "/v1/collections/items/query", body: #"{"limit":5}"#)
            #expect(reply.status == 200)
        }
        let replies = try await backlog
        // One running and two waiting per tenant: the rest are shed at once, with Retry-After.
        #expect(replies.contains { $0.status == 200 })
        #expect(replies.contains { $0.status == 503 })
        #expect(replies.allSatisfy { $0.status == 200 || ($0.code == "overloaded" && $0.headers.first(name: "Retry-After") != nil) })
    }

    @Test(
        .enabled(
            if: !TestStorage.isPostgres,
            "rows examined bound queries on SQLite only; PostgreSQL's budget is its statement_timeout (PostgresDocumentStoreTests)"))
    func aQueryPastItsBudgetIsAnsweredWithQueryTimeout() async throws {
        let server = try await ServerProcess(arguments: ["--query-rows-examined-max", "300"])
        let tenant = try await TenantFixture.make(server: server)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"items"}"#).status == 201)
        for batch in 0..<6 {
            let operations = (0..<100).map { #"{"op":"create","data":{"n":\#(batch * 100 + $0)}}"# }
            #expect(
                try await tenant.send(
                    .POST, "/v1/collections/items/batch", body: #"{"operations":[\#(operations.joined(separator: ","))]}"#
                ).status == 200)
        }
        let stopped = try await tenant.send(.POST, "/v1/collections/items/query", body: #"{"sort":["-n"],"limit":5}"#)
        #expect(stopped.status == 422)
        #expect(stopped.code == "query_timeout")
        // Pages of 100 each stay within the budget, though all 600 rows do not.
        var cursor = "null"
        var seen = 0
        for _ in 0..<10 {
            let page = try await tenant.send(.POST, "/v1/collections/items/query", body: #"{"limit":100,"cursor":\#(cursor)}"#)
            #expect(page.status == 200)
            seen += (page.json["documents"] as? [Any])?.count ?? 0
            guard let next = page.string("next_cursor") else { break }
            cursor = "\"\(next)\""
        }
        #expect(seen == 600)
    }
}
