import AerolithJSON
import AerolithStorage
import Foundation
import Synchronization
import XCTest

@testable import AerolithPlatform

/// A change that lands while a first lookup is between reading the store and filling the cache
/// must not leave the lookup's old copy in the cache.
final class CacheRaceTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "aerolith-platform-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testTenantSuspendedDuringAFirstLookupIsNotCachedActive() async throws {
        let store = try SQLiteDocumentStore(directory: directory)
        let tenant = try await Platform(store: store).createTenant(name: "Acme", plan: nil)
        // A second platform on the same store has nothing cached: its first lookup reads the store.
        let platform = try await Platform(store: store)
        let lookup = PausedLookup(platform: platform, id: tenant.id) { try await $0.tenant(tenant.id).status.rawValue }
        try await lookup.waitUntilPaused()
        _ = try await platform.updateTenant(tenant.id, status: "suspended", plan: nil)
        let seen = try await lookup.resume()
        XCTAssertEqual(seen, "active", "the paused lookup read the tenant before the suspension")
        let status = try await platform.tenant(tenant.id).status
        XCTAssertEqual(status, .suspended, "the lookup's stale copy was cached")
    }

    func testKeyRevokedDuringAFirstLookupIsNotCachedValid() async throws {
        let store = try SQLiteDocumentStore(directory: directory)
        let creator = try await Platform(store: store)
        let tenant = try await creator.createTenant(name: "Acme", plan: nil)
        let (key, secret) = try await creator.createKey(tenantID: tenant.id, name: "k", role: nil)
        let platform = try await Platform(store: store)
        _ = try await platform.tenant(tenant.id)
        let lookup = PausedLookup(platform: platform, id: APIKey.digest(of: secret)) { platform in
            _ = try await platform.authenticate(secret: secret)
            return "authenticated"
        }
        try await lookup.waitUntilPaused()
        _ = try await platform.revokeKey(tenantID: tenant.id, keyID: key.id)
        _ = try await lookup.resume()
        do {
            _ = try await platform.authenticate(secret: secret)
            XCTFail("a revoked key still authenticates")
        } catch {
            XCTAssertEqual((error as? PlatformError)?.code, .unauthenticated)
        }
    }
}

/// Runs a lookup in a task of its own and holds it at `afterCacheMissRead` for `id` until
/// `resume()`; other lookups pass.
private final class PausedLookup: Sendable {
    private enum Phase { case running, paused, released }
    private let phase = Mutex(Phase.running)
    private let result = Mutex<Result<String, any Error>?>(nil)

    init(platform: Platform, id: String, lookup: @escaping @Sendable (Platform) async throws -> String) {
        // Only the first lookup of `id` (this one, started first) pauses; the change's own
        // lookups pass.
        platform.afterCacheMissRead.withLock { hook in
            hook = { [self] seen in
                guard seen == id else { return }
                let pauses = phase.withLock { phase in
                    guard phase == .running else { return false }
                    phase = .paused
                    return true
                }
                guard pauses else { return }
                while phase.withLock({ $0 }) != .released { usleep(1_000) }
            }
        }
        // The hook holds the task's thread while paused; a detached task keeps that off the test's own.
        Task.detached { [self] in
            let outcome: Result<String, any Error>
            do { outcome = .success(try await lookup(platform)) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
        }
    }

    func waitUntilPaused() async throws {
        for _ in 0..<10_000 {
            if phase.withLock({ $0 }) == .paused { return }
            if let outcome = result.withLock({ $0 }) { throw TestError("the lookup finished without pausing: \(outcome)") }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw TestError("the lookup never reached the cache")
    }

    func resume() async throws -> String {
        phase.withLock { $0 = .released }
        while true {
            if let outcome = result.withLock({ $0 }) { return try outcome.get() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

private struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
