import AerolithJSON
import AerolithStorage
import Foundation
import XCTest

@testable import AerolithPlatform

/// What the platform writes: the same members, with the same names, types and values, as the
/// records it has always stored (the expected bodies are that format, written out by hand);
/// and what it writes reads back as the same record.
final class RecordWriteFormatTests: XCTestCase {
    private let tenantID = "tn_aaaaaaaaaaaaaaaaaaaa"

    private func assertWritten(_ object: JSONObject, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(RecordMembers(object), try RecordMembers(expected), file: file, line: line)
    }

    private func body(_ object: JSONObject) -> String { JSONWriter.string(.object(object)) }

    private func document(_ id: String, _ object: JSONObject) -> Document {
        Document(id: id, version: 1, createdAt: Timestamp(milliseconds: 0), updatedAt: Timestamp(milliseconds: 0), body: body(object))
    }

    func testTenants() throws {
        let tenant = Tenant(
            id: tenantID, slug: "acme", name: "Acme \"Ä\" / Co", plan: .enterprise, status: .suspended,
            createdAt: Timestamp(milliseconds: 1_700_000_000_123))
        try assertWritten(
            try tenant.json,
            #"{"name":"Acme \"Ä\" / Co","plan":"enterprise","status":"suspended","created_at":1700000000123,"database":"main","table_prefix":"tn_aaaaaaaaaaaaaaaaaaaa","slug":"acme"}"#
        )
        XCTAssertEqual(Tenant(document: document(tenantID, try tenant.json)), tenant)
        // No slug yet (only while a record from before slugs is backfilled): none written, not an empty one.
        let unslugged = Tenant(id: tenantID, slug: "", name: "Acme", plan: .starter, status: .active, createdAt: Timestamp(milliseconds: 5))
        try assertWritten(
            try unslugged.json,
            #"{"name":"Acme","plan":"starter","status":"active","created_at":5,"database":"main","table_prefix":"tn_aaaaaaaaaaaaaaaaaaaa"}"#
        )
        XCTAssertEqual(Tenant(document: document(tenantID, try unslugged.json)), unslugged)
    }

    func testUsers() throws {
        let user = User(
            id: "usr_aaaaaaaaaaaaaaaaaaaa", tenantID: tenantID, email: "ada@example.com", displayName: "Ada", status: .suspended,
            roles: ["owner", "auditor"], passwordHash: "scrypt$10$8$1$c2FsdA==$a2V5", createdAt: Timestamp(milliseconds: 1),
            updatedAt: Timestamp(milliseconds: 2), passwordChangedAt: Timestamp(milliseconds: 3))
        try assertWritten(
            try user.json,
            #"{"user_id":"usr_aaaaaaaaaaaaaaaaaaaa","tenant_id":"tn_aaaaaaaaaaaaaaaaaaaa","email":"ada@example.com","display_name":"Ada","status":"suspended","roles":["owner","auditor"],"password_hash":"scrypt$10$8$1$c2FsdA==$a2V5","created_at":1,"updated_at":2,"password_changed_at":3}"#
        )
        XCTAssertEqual(User(body: body(try user.json)), user)
        // Role names that are not strings are dropped; a missing member makes the record unreadable.
        XCTAssertEqual(
            User(
                body:
                    #"{"user_id":"u","tenant_id":"t","email":"e","display_name":"d","status":"active","roles":["owner",3,null],"password_hash":"h","created_at":1,"updated_at":2,"password_changed_at":3}"#
            )?.roles, ["owner"])
        XCTAssertNil(
            User(
                body:
                    #"{"user_id":"u","tenant_id":"t","email":"e","display_name":"d","status":"active","password_hash":"h","created_at":1,"updated_at":2,"password_changed_at":3}"#
            ))
    }

    func testSessions() throws {
        var session = Session(
            id: "ses_aaaaaaaaaaaaaaaaaaaa", tenantID: tenantID, userID: "usr_aaaaaaaaaaaaaaaaaaaa", refreshDigest: "d2",
            createdAt: Timestamp(milliseconds: 10), expiresAt: Timestamp(milliseconds: 30))
        session.previousDigests = ["d0", "d1"]
        session.lastUsedAt = Timestamp(milliseconds: 20)
        try assertWritten(
            try session.json,
            #"{"session_id":"ses_aaaaaaaaaaaaaaaaaaaa","tenant_id":"tn_aaaaaaaaaaaaaaaaaaaa","user_id":"usr_aaaaaaaaaaaaaaaaaaaa","refresh_digest":"d2","previous_digests":["d0","d1"],"created_at":10,"last_used_at":20,"expires_at":30,"active":true}"#
        )
        XCTAssertEqual(Session(body: body(try session.json)), session)
        session.revokedAt = Timestamp(milliseconds: 25)
        session.revokedReason = "logged_out"
        try assertWritten(
            try session.json,
            #"{"session_id":"ses_aaaaaaaaaaaaaaaaaaaa","tenant_id":"tn_aaaaaaaaaaaaaaaaaaaa","user_id":"usr_aaaaaaaaaaaaaaaaaaaa","refresh_digest":"d2","previous_digests":["d0","d1"],"created_at":10,"last_used_at":20,"expires_at":30,"active":false,"revoked_at":25,"revoked_reason":"logged_out"}"#
        )
        XCTAssertEqual(Session(body: body(try session.json)), session)
    }

    func testSigningKeys() throws {
        var key = AccessTokens.SigningKey(
            kid: "kid_aaaaaaaaaaaaaaaa", secret: Array(repeating: 0xFF, count: 32), createdAt: Timestamp(milliseconds: 7),
            retiredAt: nil)
        let secret = Data(key.secret).base64EncodedString()
        XCTAssertTrue(secret.contains("/"), "a secret with a slash, which JSON may escape")
        try assertWritten(
            try SigningKeyRecord(key).object(), #"{"kid":"kid_aaaaaaaaaaaaaaaa","algorithm":"HS256","secret":"\#(secret)","created_at":7}"#)
        key.retiredAt = Timestamp(milliseconds: 8)
        let written = try SigningKeyRecord(key).object()
        try assertWritten(
            written, #"{"kid":"kid_aaaaaaaaaaaaaaaa","algorithm":"HS256","secret":"\#(secret)","created_at":7,"retired_at":8}"#)
        let read = try XCTUnwrap(SigningKeyRecord.signingKey(body: body(written)))
        XCTAssertEqual(read.kid, key.kid)
        XCTAssertEqual(read.secret, key.secret)
        XCTAssertEqual(read.createdAt, key.createdAt)
        XCTAssertEqual(read.retiredAt, key.retiredAt)
    }

    func testCustomRoles() throws {
        let role = CustomRole(
            tenantID: tenantID, name: "auditor", permissions: [.usageRead, .documentsRead, .billingRead],
            createdAt: Timestamp(milliseconds: 9))
        // Permissions are written sorted.
        try assertWritten(
            try role.json,
            #"{"tenant_id":"tn_aaaaaaaaaaaaaaaaaaaa","name":"auditor","permissions":["billing:read","documents:read","usage:read"],"created_at":9}"#
        )
        XCTAssertEqual(CustomRole(body: body(try role.json)), role)
    }

    func testAPIKeys() throws {
        let admin = APIKey(
            id: "key_aaaaaaaaaaaaaaaa", tenantID: nil, name: "admin", role: nil, hint: "ak_abcd",
            createdAt: Timestamp(milliseconds: 1), revokedAt: nil)
        // The admin key: a null tenant and the platform_admin role, as `AdminKeyBootstrap` finds it.
        try assertWritten(
            try admin.json,
            #"{"key_id":"key_aaaaaaaaaaaaaaaa","tenant_id":null,"name":"admin","role":"platform_admin","hint":"ak_abcd","created_at":1}"#)
        XCTAssertEqual(APIKey(body: body(try admin.json)), admin)
        let roleKey = APIKey(
            id: "key_bbbbbbbbbbbbbbbb", tenantID: tenantID, name: "ci", role: "developer", hint: "ak_efgh",
            createdAt: Timestamp(milliseconds: 2), revokedAt: Timestamp(milliseconds: 3))
        try assertWritten(
            try roleKey.json,
            #"{"key_id":"key_bbbbbbbbbbbbbbbb","tenant_id":"tn_aaaaaaaaaaaaaaaaaaaa","name":"ci","role":"developer","hint":"ak_efgh","created_at":2,"revoked_at":3}"#
        )
        XCTAssertEqual(APIKey(body: body(try roleKey.json)), roleKey)
        let scoped = APIKey(
            id: "key_cccccccccccccccc", tenantID: tenantID, name: "reader", role: nil, permissions: [.documentsWrite, .documentsRead],
            collections: ["orders", "invoices"], hint: "ak_ijkl", createdAt: Timestamp(milliseconds: 4), revokedAt: nil)
        try assertWritten(
            try scoped.json,
            #"{"key_id":"key_cccccccccccccccc","tenant_id":"tn_aaaaaaaaaaaaaaaaaaaa","name":"reader","role":null,"hint":"ak_ijkl","created_at":4,"permissions":["documents:read","documents:write"],"collections":["orders","invoices"]}"#
        )
        XCTAssertEqual(APIKey(body: body(try scoped.json)), scoped)
        // A key of no tenant must be the platform admin's; a wrong-typed optional member reads as absent.
        XCTAssertNil(APIKey(body: #"{"key_id":"k","tenant_id":null,"name":"n","role":"developer","hint":"h","created_at":1}"#))
        let lenient = APIKey(
            body:
                #"{"key_id":"k","tenant_id":"t","name":"n","role":"viewer","hint":"h","created_at":1,"revoked_at":"soon","collections":"all","permissions":7}"#
        )
        XCTAssertEqual(
            lenient,
            APIKey(id: "k", tenantID: "t", name: "n", role: "viewer", hint: "h", createdAt: Timestamp(milliseconds: 1), revokedAt: nil))
    }

    /// Through the platform and the store: the bodies it stores have exactly the old members.
    func testStoredBodies() async throws {
        let directory = NSTemporaryDirectory() + "aerolith-records-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let platform = try await Platform(store: try SQLiteDocumentStore(directory: directory))
        let system = try Placement(tablePrefix: "sys")
        let tenant = try await platform.createTenant(name: "Acme", plan: "professional")
        let storedFound = try await platform.store.findDocument(
            try DocumentID(tenant.id), in: try CollectionName("tenants"), placement: system)
        let stored = try XCTUnwrap(storedFound)
        XCTAssertEqual(
            try RecordMembers(stored.body),
            try RecordMembers(
                #"{"name":"Acme","plan":"professional","status":"active","created_at":\#(tenant.createdAt.milliseconds),"target":"main","database":"main","table_prefix":"\#(tenant.id)","slug":"acme"}"#
            ))
        let (key, secret) = try await platform.createKey(tenantID: tenant.id, name: "ci", role: nil)
        let keyFound = try await platform.store.findDocument(
            try DocumentID(APIKey.digest(of: secret)), in: try CollectionName("api_keys"),
            placement: system)
        let keyBody = try XCTUnwrap(keyFound).body
        XCTAssertEqual(
            try RecordMembers(keyBody),
            try RecordMembers(
                #"{"key_id":"\#(key.id)","tenant_id":"\#(tenant.id)","name":"ci","role":"\#(key.role ?? "")","hint":"\#(key.hint)","created_at":\#(key.createdAt.milliseconds)}"#
            ))
        let signingKeys = try await platform.store.query(Query(limit: 10), in: try CollectionName("signing_keys"), placement: system)
            .documents
        XCTAssertEqual(signingKeys.count, 1)
        XCTAssertEqual(try RecordMembers(signingKeys[0].body).members.keys.sorted(), ["algorithm", "created_at", "kid", "secret"])
    }
}
