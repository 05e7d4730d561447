import AerolithPlatform
import AerolithStorage
import Foundation
import Testing

/// Session timeouts and the purge of ended sessions, on a platform with second-long limits.
@Suite struct SessionLifetimeTests {
    static func platform(_ configure: (inout IdentitySettings) -> Void) async throws -> Platform {
        let directory = NSTemporaryDirectory() + "aerolith-sessions-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var settings = IdentitySettings()
        settings.passwordHashing = PasswordHasher.Parameters(log2N: 10, blockSize: 8, parallelism: 1)
        configure(&settings)
        return try await Platform(store: try SQLiteDocumentStore(directory: directory), identity: settings)
    }

    static let password = "correct horse battery"

    @Test func idleAndAbsoluteTimeoutsEndSessionsAndThePurgeRemovesThem() async throws {
        let idle = try await Self.platform { $0.sessionIdleTimeoutSeconds = 1 }
        let quiet = try await idle.signup(
            tenantName: "Idle", email: "a@example.com", password: Self.password, plan: nil,
            displayName: nil, clientAddress: nil)
        let active = try await idle.refresh(quiet.tokens.refreshToken)
        try await Task.sleep(for: .milliseconds(1_200))
        await #expect(throws: PlatformError.self) { _ = try await idle.refresh(active.refreshToken) }
        await #expect(try idle.sessions(userID: quiet.user.id, tenantID: quiet.tenant.id).isEmpty)

        let absolute = try await Self.platform {
            $0.sessionAbsoluteLifetimeSeconds = 1
            $0.accessTokenLifetimeSeconds = 1
        }
        let short = try await absolute.signup(
            tenantName: "Short", email: "b@example.com", password: Self.password, plan: nil,
            displayName: nil, clientAddress: nil)
        try await Task.sleep(for: .milliseconds(1_200))
        do {
            _ = try await absolute.refresh(short.tokens.refreshToken)
            Issue.record("a session past its absolute lifetime was refreshed")
        } catch let error as PlatformError {
            #expect(error.code == .sessionEnded)
        }
        #expect(try await absolute.purgeSessions() == 1)
        do {
            _ = try await absolute.refresh(short.tokens.refreshToken)
            Issue.record("a purged session was refreshed")
        } catch let error as PlatformError {
            #expect(error.code == .unauthenticated)
        }
    }

    @Test func signingInBeyondTheLimitEndsTheOldestSession() async throws {
        let platform = try await Self.platform { $0.sessionsPerUserMax = 2 }
        let first = try await platform.signup(
            tenantName: "Many", email: "c@example.com", password: Self.password, plan: nil,
            displayName: nil, clientAddress: nil)
        _ = try await platform.login(tenantID: first.tenant.id, email: "c@example.com", password: Self.password, clientAddress: nil)
        _ = try await platform.login(tenantID: first.tenant.id, email: "c@example.com", password: Self.password, clientAddress: nil)
        let sessions = try await platform.sessions(userID: first.user.id, tenantID: first.tenant.id)
        #expect(sessions.count == 2 && !sessions.contains { $0.id == first.tokens.sessionID })
        await #expect(throws: PlatformError.self) { _ = try await platform.authenticate(accessToken: first.tokens.accessToken) }
    }
}
