import Foundation
import NIOHTTP1
import Testing

/// Usage records are the server's: their idempotency ids are made by it, so a client cannot
/// make its records collide with (and be deduplicated against) others.
@Suite struct UsageRecordTests {
    @Test func usageRecordsGetIdsOfTheServersOwn() async throws {
        let server = try await MetricsProtectionTests.meteringServer()
        let tenant = try await TenantFixture.make(server: server)
        let clientID = "client-chosen-request-id"
        for _ in 0..<2 {
            let reply = try await tenant.send(.GET, "/v1/collections", headers: [("X-Request-ID", clientID)])
            #expect(reply.status == 200 && reply.headers.first(name: "X-Request-ID") == clientID)
        }
        var ids: [String] = []
        try await PluginHookTests.eventually("two usage records") {
            ids = try await tenant.send(.GET, "/v1/metering").json["usage_ids"] as? [String] ?? []
            return ids.count >= 2
        }
        #expect(!ids.contains("usage/" + clientID))
        #expect(Set(ids).count == ids.count && ids.allSatisfy { $0.hasPrefix("usage/use_") }, "\(ids)")
    }
}
