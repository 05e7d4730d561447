import Foundation
import Testing

/// The first-party audit plugin over HTTP: entries survive restarts, the trail is read a page at
/// a time newest first, and a change too large to store whole still leaves an entry.
@Suite(.serialized) struct AuditTrailTests {
    /// A server with the audit plugin active for a new tenant that has a "notes" collection.
    static func auditedTenant(_ server: ServerProcess) async throws -> TenantFixture {
        let acme = try await TenantFixture.make(server: server, name: "Acme")
        #expect(try await PluginHookTests.admin(server, .POST, "/v1/tenants/\(acme.tenantID)/plugins/audit").status == 200)
        #expect(try await acme.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201)
        return acme
    }

    /// Every entry, following `next_cursor` with pages of `limit`; and the pages' sizes.
    static func wholeTrail(_ tenant: TenantFixture, limit: Int) async throws -> (entries: [[String: Any]], pages: [Int]) {
        var entries: [[String: Any]] = []
        var pages: [Int] = []
        var cursor: String?
        repeat {
            let reply = try await tenant.send(.GET, "/v1/audit?limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? ""))
            #expect(reply.status == 200)
            let page = reply.json["events"] as? [[String: Any]] ?? []
            entries += page
            pages.append(page.count)
            cursor = reply.json["next_cursor"] as? String
        } while cursor != nil && pages.count < 50
        return (entries, pages)
    }

    @Test func entriesBeforeAndAfterARestartAreAllKeptAndPaged() async throws {
        let server = try await ServerProcess()
        let acme = try await Self.auditedTenant(server)
        for index in 1...3 {
            #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: #"{"id":"d\#(index)"}"#).status == 201)
        }
        try await PluginHookTests.eventually("three entries") { try await Self.wholeTrail(acme, limit: 100).entries.count == 3 }
        server.stop()
        try await server.start()
        for index in 4...7 {
            #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: #"{"id":"d\#(index)"}"#).status == 201)
        }
        try await PluginHookTests.eventually("seven entries") { try await Self.wholeTrail(acme, limit: 100).entries.count == 7 }
        // Newest first, none lost or written over, three pages of at most three.
        let (entries, pages) = try await Self.wholeTrail(acme, limit: 3)
        #expect(entries.map { $0["id"] as? String } == (1...7).reversed().map { "d\($0)" })
        #expect(pages == [3, 3, 1])
        #expect(try await acme.send(.GET, "/v1/audit?limit=0").status == 400)
        #expect(try await acme.send(.GET, "/v1/audit?cursor=nonsense").status == 400)
    }

    @Test func aPageEndsBeforeItIsTooLargeToSend() async throws {
        let server = try await ServerProcess()
        let acme = try await Self.auditedTenant(server)
        // Three entries of about 700 KB: two do not fit in one response with the third.
        for index in 1...3 {
            let body = #"{"id":"l\#(index)","blob":""# + String(repeating: "y", count: 700_000) + #""}"#
            #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: body).status == 201)
        }
        try await PluginHookTests.eventually("three entries") {
            try await Self.wholeTrail(acme, limit: 1).entries.count == 3
        }
        let (entries, pages) = try await Self.wholeTrail(acme, limit: 10)
        #expect(entries.map { $0["id"] as? String } == ["l3", "l2", "l1"])
        #expect(pages == [2, 1])
    }

    @Test func aDocumentTooLargeToStoreWholeLeavesADigest() async throws {
        let server = try await ServerProcess()
        let acme = try await Self.auditedTenant(server)
        // The largest document the server takes: its event is larger than a plugin state value.
        let body = #"{"id":"big","blob":""# + String(repeating: "x", count: 1_048_576 - 23) + #""}"#
        let created = try await acme.send(.POST, "/v1/collections/notes/documents", body: body)
        #expect(created.status == 201)
        let stored = try await acme.send(.GET, "/v1/collections/notes/documents/big")
        #expect(stored.status == 200)
        var entries: [[String: Any]] = []
        try await PluginHookTests.eventually("the entry") {
            entries = try await Self.wholeTrail(acme, limit: 10).entries
            return entries.count == 1
        }
        let entry = try #require(entries.first)
        #expect(entry["action"] as? String == "created" && entry["id"] as? String == "big" && entry["data"] == nil)
        #expect(entry["data_omitted"] as? Bool == true)
        let bytes = try #require(entry["data_bytes"] as? Int)
        #expect(bytes > 1_000_000 && bytes <= 1_048_576)
        let digest = try #require(entry["data_sha256"] as? String)
        #expect(digest.count == 64 && digest.allSatisfy(\.isHexDigit))
        #expect(!server.log.contains("an events hook failed"))
    }
}
