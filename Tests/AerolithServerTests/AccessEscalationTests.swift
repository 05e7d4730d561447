import Foundation
import NIOHTTP1
import Testing

/// Permissions are checked for what each route says it needs, and nobody acts on a credential
/// holding more than they do.
@Suite struct AccessEscalationTests {
    /// A new key of the fixture's tenant, made by the platform admin: (key id, secret).
    static func key(_ tenant: TenantFixture, _ spec: String) async throws -> (id: String, secret: String) {
        let reply = try await HTTP.send(
            .POST, tenant.server.baseURL + "/v1/tenants/\(tenant.tenantID)/keys", key: try tenant.server.adminKey,
            body: #"{"name":"k",\#(spec)}"#)
        guard reply.status == 201, let id = reply.string("id"), let secret = reply.string("key") else {
            throw TestFailure("key: \(reply.body)")
        }
        return (id, secret)
    }

    @Test func usageNeedsUsageRead() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        let viewer = try await Self.key(tenant, #""role":"viewer""#)
        let refused = try await HTTP.send(.GET, server.baseURL + "/v1/usage", key: viewer.secret)
        #expect(refused.status == 403 && refused.code == "forbidden")
        let billing = try await Self.key(tenant, #""permissions":["usage:read"]"#)
        let usage = try await HTTP.send(.GET, server.baseURL + "/v1/usage", key: billing.secret)
        #expect(usage.status == 200 && usage.json["documents"] as? Int == 0)
    }

    @Test func aKeyRevokesOnlyKeysHoldingNoMoreThanItself() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        let owner = try await Self.key(tenant, #""role":"owner""#)
        let manager = try await Self.key(tenant, #""permissions":["keys:manage"]"#)
        let peer = try await Self.key(tenant, #""permissions":["keys:manage"]"#)
        let viewer = try await Self.key(tenant, #""role":"viewer""#)
        let scoped = try await Self.key(tenant, #""permissions":["keys:manage"],"collections":["notes"]"#)

        for target in [owner, viewer] {
            let refused = try await HTTP.send(.DELETE, server.baseURL + "/v1/keys/\(target.id)", key: manager.secret)
            #expect(refused.status == 403 && refused.code == "forbidden")
        }
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/keys", key: owner.secret).status == 200)
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/collections", key: viewer.secret).status == 200)
        // A key limited to some collections cannot revoke one that reaches every collection.
        #expect(try await HTTP.send(.DELETE, server.baseURL + "/v1/keys/\(peer.id)", key: scoped.secret).status == 403)

        // A key holding no more than the revoker's permissions is revoked.
        #expect(try await HTTP.send(.DELETE, server.baseURL + "/v1/keys/\(peer.id)", key: manager.secret).status == 204)
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/keys", key: peer.secret).status == 401)
        // Creating follows the same rule.
        let beyond = try await HTTP.send(.POST, server.baseURL + "/v1/keys", key: manager.secret, body: #"{"name":"x","role":"owner"}"#)
        #expect(beyond.status == 403 && beyond.code == "forbidden")
        // The owner (holding everything) revokes the manager; the platform admin revokes anyone.
        #expect(try await HTTP.send(.DELETE, server.baseURL + "/v1/keys/\(manager.id)", key: owner.secret).status == 204)
        #expect(
            try await HTTP.send(.DELETE, server.baseURL + "/v1/tenants/\(tenant.tenantID)/keys/\(owner.id)", key: try server.adminKey)
                .status == 204)
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/keys", key: owner.secret).status == 401)
    }
}
