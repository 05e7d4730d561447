import AerolithJSON
import AerolithPermissions
import AerolithStorage
import Foundation
import XCTest

@testable import AerolithPlatform

/// Platform records already on disk keep reading as they always have. The bodies below are
/// written literally, in the formats earlier versions stored (and today's), straight into the
/// store; a platform opened on it afterwards must see every value.
final class RecordFormatTests: XCTestCase {
    private var directory = ""
    private let system = try! Placement(tablePrefix: "sys")
    private let now = Timestamp.now().milliseconds

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "aerolith-records-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static let cheapHashing = PasswordHasher.Parameters(log2N: 10, blockSize: 8, parallelism: 1)

    /// Opens a platform: the first one on a directory creates the collections the bodies go into.
    private func platform(_ store: any DocumentStore) async throws -> Platform {
        var identity = IdentitySettings()
        identity.passwordHashing = Self.cheapHashing
        return try await Platform(store: store, identity: identity)
    }

    /// Stores `body` exactly as given, as the record `id` of `sys.<collection>`.
    private func seed(_ body: String, id: String, into collection: String, _ store: any DocumentStore) async throws {
        guard case .object(let object) = try JSONParser.parse(body) else { return XCTFail("not an object: \(body)") }
        _ = try await store.insert(object, id: try DocumentID(id), into: try CollectionName(collection), in: system)
    }

    private func code(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as PlatformError {
            return error.code.rawValue
        } catch let error as StorageError {
            return error.code.rawValue
        } catch {
            return "\(error)"
        }
    }

    func testTenantsOfEveryFormatRead() async throws {
        let store = try SQLiteDocumentStore(directory: directory)
        _ = try await platform(store)
        // Before slugs there was no slug index either.
        try await store.dropIndex("by_slug", on: try CollectionName("tenants"), placement: system)
        let current = "tn_aaaaaaaaaaaaaaaaaaaa"
        let placed = "tn_bbbbbbbbbbbbbbbbbbbb"
        let first = "tn_cccccccccccccccccccc"
        let extra = "tn_dddddddddddddddddddd"
        let broken = "tn_eeeeeeeeeeeeeeeeeeee"
        let badTime = "tn_ffffffffffffffffffff"
        // Today's format.
        try await seed(
            #"{"name":"Acme","plan":"professional","status":"suspended","created_at":1700000000123,"database":"main","table_prefix":"tn_aaaaaaaaaaaaaaaaaaaa","slug":"acme-co"}"#,
            id: current, into: "tenants", store)
        // Stored placements, before slugs.
        try await seed(
            #"{"name":"Globex","plan":"enterprise","status":"active","created_at":1600000000000,"database":"main","table_prefix":"tn_bbbbbbbbbbbbbbbbbbbb"}"#,
            id: placed, into: "tenants", store)
        // The first format: no placement, no slug.
        try await seed(
            #"{"name":"Initech","plan":"starter","status":"active","created_at":1500000000000}"#, id: first, into: "tenants", store)
        // Members nobody knows are ignored.
        try await seed(
            #"{"name":"Hooli","plan":"starter","status":"active","created_at":1650000000000,"database":"main","table_prefix":"tn_dddddddddddddddddddd","slug":"hooli","region":"eu","tags":[1,"x"],"owner":{"a":null}}"#,
            id: extra, into: "tenants", store)
        // Unreadable: an unknown plan; a time that is not a number.
        try await seed(#"{"name":"Broken","plan":"gold","status":"active","created_at":1}"#, id: broken, into: "tenants", store)
        try await seed(#"{"name":"Late","plan":"starter","status":"active","created_at":"yesterday"}"#, id: badTime, into: "tenants", store)

        let platform = try await platform(store)
        let acme = try await platform.tenant(current)
        XCTAssertEqual(
            acme,
            Tenant(
                id: current, slug: "acme-co", name: "Acme", plan: .professional, status: .suspended,
                createdAt: Timestamp(milliseconds: 1_700_000_000_123), placement: try Placement(tablePrefix: current)))
        // Tenants without slugs got one when the platform opened; the rest of the record is unchanged.
        let globex = try await platform.tenant(placed)
        XCTAssertEqual(
            globex,
            Tenant(
                id: placed, slug: "globex", name: "Globex", plan: .enterprise, status: .active,
                createdAt: Timestamp(milliseconds: 1_600_000_000_000), placement: try Placement(tablePrefix: placed)))
        let initech = try await platform.tenant(first)
        XCTAssertEqual(
            initech,
            Tenant(
                id: first, slug: "initech", name: "Initech", plan: .starter, status: .active,
                createdAt: Timestamp(milliseconds: 1_500_000_000_000)))
        XCTAssertEqual(initech.placement, try Placement(database: Placement.sharedDatabase, tablePrefix: first))
        let initechID = try await platform.tenant(named: "initech").id
        XCTAssertEqual(initechID, first)
        let hooli = try await platform.tenant(extra)
        XCTAssertEqual([hooli.slug, hooli.name, hooli.placement.tablePrefix], ["hooli", "Hooli", extra])
        for unreadable in [broken, badTime] {
            let failure = await code { _ = try await platform.tenant(unreadable) }
            XCTAssertEqual(failure, "storage_failure", unreadable)
        }
        let listed = try await platform.tenants(limit: 100, cursor: nil).tenants.map(\.id)
        XCTAssertEqual(Set(listed), [current, placed, first, extra], "unreadable records are skipped")

        // The backfill wrote today's format: the old members kept, the slug added.
        let initechBody = try XCTUnwrap(try store.findDocument(try DocumentID(first), in: try CollectionName("tenants"), placement: system))
            .body
        XCTAssertEqual(
            try RecordMembers(initechBody),
            try RecordMembers(
                #"{"name":"Initech","plan":"starter","status":"active","created_at":1500000000000,"database":"main","table_prefix":"tn_cccccccccccccccccccc","slug":"initech"}"#
            ))
    }

    func testIdentityRecordsRead() async throws {
        let store = try SQLiteDocumentStore(directory: directory)
        _ = try await platform(store)
        let tenant = "tn_gggggggggggggggggggg"
        let userID = "usr_aaaaaaaaaaaaaaaaaaaa"
        let active = "ses_aaaaaaaaaaaaaaaaaaaa"
        let revoked = "ses_bbbbbbbbbbbbbbbbbbbb"
        let hash = try await PasswordHasher(parameters: Self.cheapHashing).hash("correct horse battery", tenantID: tenant)
        let refreshToken = "rt.\(active).\(String(repeating: "a", count: IdentityLimits.refreshTokenRandomLength))"
        let revokedToken = "rt.\(revoked).\(String(repeating: "b", count: IdentityLimits.refreshTokenRandomLength))"
        let oldDigest = APIKey.digest(of: "rt.\(active).older")
        // The signing key the platform created is older than these two, so the newer unretired one signs.
        let currentKid = "kid_aaaaaaaaaaaaaaaa"
        let retiredKid = "kid_bbbbbbbbbbbbbbbb"
        let expiredKid = "kid_cccccccccccccccc"
        let secret = Data((0..<32).map { UInt8($0) }).base64EncodedString()

        try await seed(
            #"{"name":"Acme","plan":"starter","status":"active","created_at":1700000000000,"database":"main","table_prefix":"tn_gggggggggggggggggggg","slug":"acme"}"#,
            id: tenant, into: "tenants", store)
        try await seed(
            #"{"user_id":"usr_aaaaaaaaaaaaaaaaaaaa","tenant_id":"tn_gggggggggggggggggggg","email":"ada@example.com","display_name":"Ada L.","status":"active","roles":["owner","auditor"],"password_hash":"\#(hash)","created_at":1700000000001,"updated_at":1700000000002,"password_changed_at":1700000000003}"#,
            id: userID, into: "users", store)
        // A permission this version does not know is dropped, not an error.
        try await seed(
            #"{"tenant_id":"tn_gggggggggggggggggggg","name":"auditor","permissions":["documents:read","reports:read","usage:read"],"created_at":1700000000004}"#,
            id: CustomRole.documentID(tenantID: tenant, name: "auditor"), into: "roles", store)
        try await seed(
            #"{"session_id":"\#(active)","tenant_id":"\#(tenant)","user_id":"\#(userID)","refresh_digest":"\#(APIKey.digest(of: refreshToken))","previous_digests":["\#(oldDigest)"],"created_at":\#(now - 5_000),"last_used_at":\#(now - 4_000),"expires_at":\#(now + 86_400_000),"active":true}"#,
            id: active, into: "sessions", store)
        try await seed(
            #"{"session_id":"\#(revoked)","tenant_id":"\#(tenant)","user_id":"\#(userID)","refresh_digest":"\#(APIKey.digest(of: revokedToken))","previous_digests":[],"created_at":\#(now - 9_000),"last_used_at":\#(now - 8_000),"expires_at":\#(now + 86_400_000),"active":false,"revoked_at":\#(now - 7_000),"revoked_reason":"logged_out"}"#,
            id: revoked, into: "sessions", store)
        try await seed(
            #"{"kid":"\#(currentKid)","algorithm":"HS256","secret":"\#(secret)","created_at":\#(now + 60_000)}"#,
            id: currentKid, into: "signing_keys", store)
        // Newer still, but retired (recently enough to be kept): it must not sign.
        try await seed(
            #"{"kid":"\#(retiredKid)","algorithm":"HS256","secret":"\#(secret)","created_at":\#(now + 120_000),"retired_at":\#(now - 1_000)}"#,
            id: retiredKid, into: "signing_keys", store)
        // Retired long ago: deleted when the platform opens.
        try await seed(
            #"{"kid":"\#(expiredKid)","algorithm":"HS256","secret":"\#(secret)","created_at":1000,"retired_at":2000}"#,
            id: expiredKid, into: "signing_keys", store)

        let platform = try await platform(store)
        var user = try await platform.user(userID, tenantID: tenant)
        user.version = 1
        XCTAssertEqual(
            user,
            User(
                id: userID, tenantID: tenant, email: "ada@example.com", displayName: "Ada L.", status: .active,
                roles: ["owner", "auditor"], passwordHash: hash, createdAt: Timestamp(milliseconds: 1_700_000_000_001),
                updatedAt: Timestamp(milliseconds: 1_700_000_000_002), passwordChangedAt: Timestamp(milliseconds: 1_700_000_000_003)))
        let roleFound = try await platform.customRoles(tenantID: tenant)["auditor"]
        let role = try XCTUnwrap(roleFound)
        XCTAssertEqual(
            role,
            CustomRole(
                tenantID: tenant, name: "auditor", permissions: [.documentsRead, .usageRead],
                createdAt: Timestamp(milliseconds: 1_700_000_000_004)))

        let sessionFound = try await platform.session(active)
        var session = try XCTUnwrap(sessionFound)
        session.version = 1
        var expected = Session(
            id: active, tenantID: tenant, userID: userID, refreshDigest: APIKey.digest(of: refreshToken),
            createdAt: Timestamp(milliseconds: now - 5_000), expiresAt: Timestamp(milliseconds: now + 86_400_000))
        expected.previousDigests = [oldDigest]
        expected.lastUsedAt = Timestamp(milliseconds: now - 4_000)
        XCTAssertEqual(session, expected)
        let endedFound = try await platform.session(revoked)
        let ended = try XCTUnwrap(endedFound)
        XCTAssertEqual(ended.revokedAt, Timestamp(milliseconds: now - 7_000))
        XCTAssertEqual(ended.revokedReason, "logged_out")
        let sessionIDs = try await platform.sessions(userID: userID, tenantID: tenant).map(\.id)
        XCTAssertEqual(sessionIDs, [active])

        // The stored password hash signs the user in; the stored refresh digest refreshes.
        _ = try await platform.login(tenantID: "acme", email: "ada@example.com", password: "correct horse battery", clientAddress: nil)
        let refreshed = try await platform.refresh(refreshToken)
        XCTAssertEqual(try kid(of: refreshed.accessToken), currentKid)
        guard case .tenant(let caller) = try await platform.authenticate(accessToken: refreshed.accessToken) else {
            return XCTFail("not a tenant caller")
        }
        XCTAssertEqual(caller.subject, userID)
        XCTAssertEqual(caller.grant.permissions, Permission.tenantPermissions)
        let reused = await code { _ = try await platform.refresh(revokedToken) }
        XCTAssertEqual(reused, "session_ended")

        let keys = try CollectionName("signing_keys")
        XCTAssertNotNil(try store.findDocument(try DocumentID(retiredKid), in: keys, placement: system))
        XCTAssertNil(try store.findDocument(try DocumentID(expiredKid), in: keys, placement: system))
        let stored = try XCTUnwrap(try store.findDocument(try DocumentID(currentKid), in: keys, placement: system))
        let key = try XCTUnwrap(SigningKeyRecord.signingKey(body: stored.body))
        XCTAssertEqual([key.kid], [currentKid])
        XCTAssertEqual(key.secret, (0..<32).map { UInt8($0) })
        XCTAssertNil(key.retiredAt)
        // Another algorithm or a secret of another length is not a key this server uses.
        XCTAssertNil(SigningKeyRecord.signingKey(body: #"{"kid":"k","algorithm":"HS512","secret":"\#(secret)","created_at":1}"#))
        XCTAssertNil(SigningKeyRecord.signingKey(body: #"{"kid":"k","algorithm":"HS256","secret":"AAAA","created_at":1}"#))
    }

    func testKeysOfEveryFormatRead() async throws {
        let store = try SQLiteDocumentStore(directory: directory)
        _ = try await platform(store)
        let tenant = "tn_hhhhhhhhhhhhhhhhhhhh"
        try await seed(
            #"{"name":"Acme","plan":"starter","status":"active","created_at":1700000000000}"#, id: tenant, into: "tenants", store)
        let secrets = ["role", "scoped", "revoked", "admin", "unreadable"].map { "ak_\($0)_" + String(repeating: "x", count: 40) }
        // The first format: a role, no permission list.
        try await seed(
            #"{"key_id":"key_aaaaaaaaaaaaaaaa","tenant_id":"\#(tenant)","name":"ci","role":"developer","hint":"ak_role","created_at":1700000000010}"#,
            id: APIKey.digest(of: secrets[0]), into: "api_keys", store)
        // A permission list instead of a role (stored with a null role), limited to some collections.
        try await seed(
            #"{"key_id":"key_bbbbbbbbbbbbbbbb","tenant_id":"\#(tenant)","name":"reader","role":null,"hint":"ak_scop","created_at":1700000000020,"permissions":["collections:manage","documents:read"],"collections":["orders","invoices"]}"#,
            id: APIKey.digest(of: secrets[1]), into: "api_keys", store)
        try await seed(
            #"{"key_id":"key_cccccccccccccccc","tenant_id":"\#(tenant)","name":"old","role":"viewer","hint":"ak_revo","created_at":1700000000030,"revoked_at":1700000000040}"#,
            id: APIKey.digest(of: secrets[2]), into: "api_keys", store)
        try await seed(
            #"{"key_id":"key_dddddddddddddddd","tenant_id":null,"name":"platform admin","role":"platform_admin","hint":"ak_admi","created_at":1700000000050}"#,
            id: APIKey.digest(of: secrets[3]), into: "api_keys", store)
        // A tenant key with neither a role nor permissions grants nothing: it is not a key.
        try await seed(
            #"{"key_id":"key_eeeeeeeeeeeeeeee","tenant_id":"\#(tenant)","name":"empty","role":null,"hint":"ak_unre","created_at":1700000000060}"#,
            id: APIKey.digest(of: secrets[4]), into: "api_keys", store)

        let platform = try await platform(store)
        let listed = await Dictionary(uniqueKeysWithValues: try platform.keys(tenantID: tenant).map { ($0.id, $0) })
        XCTAssertEqual(
            listed["key_aaaaaaaaaaaaaaaa"],
            APIKey(
                id: "key_aaaaaaaaaaaaaaaa", tenantID: tenant, name: "ci", role: "developer",
                hint: "ak_role", createdAt: Timestamp(milliseconds: 1_700_000_000_010), revokedAt: nil))
        XCTAssertEqual(
            listed["key_bbbbbbbbbbbbbbbb"],
            APIKey(
                id: "key_bbbbbbbbbbbbbbbb", tenantID: tenant, name: "reader", role: nil,
                permissions: [.collectionsManage, .documentsRead], collections: ["orders", "invoices"],
                hint: "ak_scop", createdAt: Timestamp(milliseconds: 1_700_000_000_020), revokedAt: nil))
        XCTAssertEqual(listed["key_cccccccccccccccc"]?.revokedAt, Timestamp(milliseconds: 1_700_000_000_040))
        XCTAssertNil(listed["key_eeeeeeeeeeeeeeee"])
        XCTAssertEqual(listed.count, 3)

        guard case .tenant(let developer) = try await platform.authenticate(secret: secrets[0]) else { return XCTFail("not a tenant key") }
        XCTAssertEqual(developer.grant, Grant(.developer))
        guard case .tenant(let scoped) = try await platform.authenticate(secret: secrets[1]) else { return XCTFail("not a tenant key") }
        XCTAssertEqual(
            scoped.grant,
            Grant(role: "permissions", permissions: [.collectionsManage, .documentsRead], collections: ["orders", "invoices"]))
        let principal = try await platform.authenticate(secret: secrets[3])
        XCTAssertEqual(principal, .platformAdmin(keyID: "key_dddddddddddddddd"))
        let adminKeyIDs = try await platform.activeAdminKeys().map { $0.key.id }
        XCTAssertEqual(adminKeyIDs, ["key_dddddddddddddddd"])
        for refused in [secrets[2], secrets[4]] {
            let failure = await code { _ = try await platform.authenticate(secret: refused) }
            XCTAssertEqual(failure, "unauthenticated")
        }
    }

    /// The `kid` in an access token's header.
    private func kid(of token: String) throws -> String? {
        var header = String(token.split(separator: ".")[0]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(
            of: "_", with: "/")
        while header.count % 4 != 0 { header += "=" }
        let json = String(decoding: try XCTUnwrap(Data(base64Encoded: header)), as: UTF8.self)
        return try JSONParser.parse(json).objectValue?["kid"]?.stringValue
    }
}
