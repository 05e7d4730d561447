import AerolithJSON
import AerolithStorage
import Foundation
import XCTest

@testable import AerolithPlatform

/// Tenant slugs: the grammar, names turned into slugs, uniqueness under concurrency, lookup by
/// slug, the backfill of tenants stored before slugs, and finding one's tenants from an email.
final class TenantSlugTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "aerolith-slugs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Cheap hashing: these tests sign in many times.
    private func platform(_ store: any DocumentStore) async throws -> Platform {
        var identity = IdentitySettings()
        identity.passwordHashing = .init(log2N: 10, blockSize: 8, parallelism: 1)
        return try await Platform(store: store, identity: identity)
    }

    private func code(_ body: () async throws -> Void) async -> PlatformError.Code? {
        do {
            try await body()
            return nil
        } catch {
            return (error as? PlatformError)?.code
        }
    }

    func testTheGrammar() {
        for good in ["acme", "globex-2", "a1b", "123", String(repeating: "a", count: 40)] {
            XCTAssertTrue(TenantSlug.isWellFormed(good), good)
        }
        for bad in [
            "ab", "Acme", "-acme", "acme-", "ac--me", "ac_me", "tn_abcdefghijklmnopqrst", "acmé", "ac me",
            String(repeating: "a", count: 41), "",
        ] {
            XCTAssertFalse(TenantSlug.isWellFormed(bad), bad)
        }
    }

    func testNamesBecomeSlugs() {
        XCTAssertEqual(TenantSlug.base(from: "Globex Corporation"), "globex-corporation")
        XCTAssertEqual(TenantSlug.base(from: "  Ärger & Söhne, GmbH "), "arger-sohne-gmbh")
        XCTAssertEqual(TenantSlug.base(from: "X"), "tenant-x")
        XCTAssertEqual(TenantSlug.base(from: "Admin"), "tenant-admin")
        XCTAssertEqual(TenantSlug.base(from: "東京"), "tenant")
        let long = TenantSlug.base(from: String(repeating: "abc ", count: 30))
        XCTAssertTrue(long.count <= TenantSlug.lengthCharactersMax && TenantSlug.isWellFormed(long), long)
        let candidates = TenantSlug.candidates(name: String(repeating: "word ", count: 20), id: "tn_abcdefghijklmnopqrst")
        XCTAssertTrue(candidates.allSatisfy { TenantSlug.isWellFormed($0) && !TenantSlug.reserved.contains($0) }, "\(candidates)")
        XCTAssertEqual(Set(candidates).count, candidates.count)
        XCTAssertEqual(candidates.last, "t-abcdefghijklmnopqrst")
    }

    func testChosenAndDerivedSlugs() async throws {
        let platform = try await platform(try SQLiteDocumentStore(directory: directory))
        let first = try await platform.createTenant(name: "Globex", plan: nil)
        let second = try await platform.createTenant(name: "Globex", plan: nil)
        XCTAssertEqual(first.slug, "globex")
        XCTAssertEqual(second.slug, "globex-2")
        let chosen = try await platform.createTenant(name: "Initech", plan: nil, slug: "initech-eu")
        XCTAssertEqual(chosen.slug, "initech-eu")
        let taken = await code { _ = try await platform.createTenant(name: "Other", plan: nil, slug: "globex") }
        XCTAssertEqual(taken, .slugTaken)
        let malformed = await code { _ = try await platform.createTenant(name: "Other", plan: nil, slug: "Not_A_Slug") }
        XCTAssertEqual(malformed, .invalidSlug)
        let reserved = await code { _ = try await platform.createTenant(name: "Other", plan: nil, slug: "admin") }
        XCTAssertEqual(reserved, .invalidSlug)

        let bySlugID = try await platform.tenant(named: "globex-2").id
        XCTAssertEqual(bySlugID, second.id)
        let byIDSlug = try await platform.tenant(named: second.id).slug
        XCTAssertEqual(byIDSlug, "globex-2")
        let unknown = await code { _ = try await platform.tenant(named: "nobody-here") }
        XCTAssertEqual(unknown, .tenantNotFound)
        // A fresh platform (nothing cached) finds it in the store, and the slug survives a status change.
        _ = try await platform.updateTenant(chosen.id, status: "suspended", plan: nil)
        let reopened = try await self.platform(platform.store)
        let reopenedBySlugID = try await reopened.tenant(named: "initech-eu").id
        XCTAssertEqual(reopenedBySlugID, chosen.id)
        let reopenedSlug = try await reopened.tenant(chosen.id).slug
        XCTAssertEqual(reopenedSlug, "initech-eu")
    }

    func testOneSlugIsWonOnceUnderConcurrency() async throws {
        let platform = try await platform(try SQLiteDocumentStore(directory: directory))
        let attempts = 8
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<attempts {
                group.addTask {
                    do {
                        return try await platform.createTenant(name: "Race", plan: nil, slug: "contested").id
                    } catch {
                        return (error as? PlatformError)?.code.rawValue ?? "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { $0.hasPrefix("tn_") }.count, 1, "\(outcomes)")
        XCTAssertEqual(outcomes.filter { $0 == "slug_taken" }.count, attempts - 1, "\(outcomes)")
        // Derived slugs for one name, created at once, are all different.
        let derived = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<attempts { group.addTask { try await platform.createTenant(name: "Same Name", plan: nil).slug } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(derived).count, attempts, "\(derived)")
        // Past the check, at the insert itself: the storage's unique index decides.
        let inserts = await withTaskGroup(of: String.self) { group in
            for _ in 0..<attempts {
                group.addTask {
                    do {
                        return try await platform.insertTenant(
                            id: RandomID.make(prefix: "tn_", length: 20), slug: "inserted", name: "Race",
                            plan: .starter, placement: nil
                        ).id
                    } catch {
                        return (error as? PlatformError)?.code.rawValue ?? "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(inserts.filter { $0.hasPrefix("tn_") }.count, 1, "\(inserts)")
        XCTAssertEqual(inserts.filter { $0 == "slug_taken" }.count, attempts - 1, "\(inserts)")
    }

    /// Tenants stored before slugs existed get one when the platform opens: oldest first, the
    /// same slugs every time, reachable by them at once.
    func testTenantsWithoutSlugsAreBackfilledDeterministically() async throws {
        let store = try SQLiteDocumentStore(directory: directory)
        _ = try await platform(store)
        let system = try Placement(tablePrefix: "sys")
        let tenants = try CollectionName("tenants")
        // As an older version stored them: no slug, and no slug index.
        try await store.dropIndex("by_slug", on: tenants, placement: system)
        let old = [
            ("tn_bbbbbbbbbbbbbbbbbbbb", "Globex", 2_000), ("tn_aaaaaaaaaaaaaaaaaaaa", "Globex", 1_000),
            ("tn_cccccccccccccccccccc", "Initech", 3_000),
        ]
        for (id, name, created) in old {
            let body = JSONObject(members: [
                .init(key: "name", value: .string(name)), .init(key: "plan", value: .string("starter")),
                .init(key: "status", value: .string("active")), .init(key: "created_at", value: .integer(Int64(created))),
                .init(key: "database", value: .string(Placement.sharedDatabase)), .init(key: "table_prefix", value: .string(id)),
            ])
            _ = try await store.insert(body, id: try DocumentID(id), into: tenants, in: system)
        }
        let opened = try await platform(store)
        let olderSlug = try await opened.tenant("tn_aaaaaaaaaaaaaaaaaaaa").slug
        XCTAssertEqual(olderSlug, "globex", "the older Globex gets the plain slug")
        let newerSlug = try await opened.tenant("tn_bbbbbbbbbbbbbbbbbbbb").slug
        XCTAssertEqual(newerSlug, "globex-2")
        let initechID = try await opened.tenant(named: "initech").id
        XCTAssertEqual(initechID, "tn_cccccccccccccccccccc")
        // Opening again changes nothing, and new tenants avoid the backfilled slugs.
        let again = try await platform(store)
        let slugAfterReopen = try await again.tenant("tn_bbbbbbbbbbbbbbbbbbbb").slug
        XCTAssertEqual(slugAfterReopen, "globex-2")
        let third = try await again.createTenant(name: "Globex", plan: nil)
        XCTAssertEqual(third.slug, "globex-3")
        XCTAssertTrue(try store.indexes(on: tenants, placement: system).contains { $0.name == "by_slug" && $0.unique })
    }

    func testFindingTenantsFromAnEmail() async throws {
        let platform = try await platform(try SQLiteDocumentStore(directory: directory))
        let password = "correct horse battery"
        let first = try await platform.createTenant(name: "Globex", plan: nil)
        let second = try await platform.createTenant(name: "Globex", plan: nil)
        let other = try await platform.createTenant(name: "Initech", plan: nil)
        let suspended = try await platform.createTenant(name: "Umbrella", plan: nil)
        for tenant in [first, second, suspended] {
            _ = try await platform.createUser(
                tenantID: tenant.id, email: "Ann@Example.com", password: password, displayName: nil, roles: ["owner"], grantor: nil)
        }
        _ = try await platform.createUser(
            tenantID: other.id, email: "ann@example.com", password: "another password", displayName: nil,
            roles: ["owner"], grantor: nil)
        _ = try await platform.updateTenant(suspended.id, status: "suspended", plan: nil)

        let found = try await platform.tenantsSigningIn(email: "ann@example.com", password: password, clientAddress: "10.0.0.1")
        XCTAssertEqual(found.map(\.slug), ["globex", "globex-2"])
        let withOther = try await platform.tenantsSigningIn(
            email: "ANN@example.com", password: "another password", clientAddress: "10.0.0.1")
        XCTAssertEqual(withOther.map(\.slug), ["initech"])
        let wrong = try await platform.tenantsSigningIn(email: "ann@example.com", password: "wrong password", clientAddress: "10.0.0.2")
        let unknown = try await platform.tenantsSigningIn(email: "nobody@example.com", password: password, clientAddress: "10.0.0.2")
        let malformed = try await platform.tenantsSigningIn(email: "not an email", password: password, clientAddress: "10.0.0.2")
        XCTAssertTrue(wrong.isEmpty && unknown.isEmpty && malformed.isEmpty)

        // Failed lookups are throttled per email like sign-ins, known email or not.
        for email in ["ann@example.com", "nobody@example.com"] {
            var refused: PlatformError.Code?
            for attempt in 0...IdentitySettings().loginFailuresPerAccountMax {
                refused = await code {
                    _ = try await platform.tenantsSigningIn(
                        email: email, password: "guess \(attempt) guess", clientAddress: "10.0.1.\(attempt)")
                }
                if refused != nil { break }
            }
            XCTAssertEqual(refused, .tooManyAttempts, email)
        }
    }
}
