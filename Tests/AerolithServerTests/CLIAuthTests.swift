import Foundation
import Testing

/// Signing up and in from the command line: the stored session, its file mode, transparent
/// refresh, user and role management, and signing out.
@Suite struct CLIAuthTests {
    @Test func signupLoginRefreshAndLogout() async throws {
        let fixture = try await IdentityFixture.start()
        let configDirectory = NSTemporaryDirectory() + "aerolith-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: configDirectory) }
        let environment = ["AEROLITH_URL": fixture.server.baseURL, "AEROLITH_CONFIG_DIR": configDirectory]
        func run(_ arguments: [String], stdin: String? = nil, extra: [String: String] = [:]) throws -> CLITests.Run {
            try CLITests.aerolith(arguments, environment: environment.merging(extra) { $1 }, stdin: stdin)
        }

        let signup = try run(
            ["signup", "--tenant-name", "Acme", "--email", "ann@example.com", "--password-stdin"], stdin: "correct horse battery\n")
        #expect(signup.status == 0, "\(signup.stderr)")
        let path = configDirectory + "/credentials.json"
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        #expect((try FileManager.default.attributesOfItem(atPath: configDirectory)[.posixPermissions] as? Int) == 0o700)
        let whoami = try run(["auth", "whoami"])
        #expect(whoami.status == 0 && whoami.stdout.contains("ann@example.com") && whoami.stdout.contains("users:manage"))
        #expect(try run(["collection", "create", "notes"]).status == 0)

        // An expired access token is refreshed before the next request, and the new tokens saved.
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var expired = stored
        expired["expires_at"] = 0
        try JSONSerialization.data(withJSONObject: expired).write(to: URL(fileURLWithPath: path))
        #expect(try run(["collection", "list"]).stdout.contains("notes"))
        let renewed = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(renewed["refresh_token"] as? String != stored["refresh_token"] as? String)
        #expect((renewed["expires_at"] as? Int ?? 0) > Int(Date().timeIntervalSince1970))

        // Users and roles.
        let role = try run(["role", "create", "writer", "--permissions", "documents:read,documents:write"])
        #expect(role.status == 0, "\(role.stderr)")
        let user = try run(
            ["user", "create", "bob@example.com", "--roles", "writer", "--json"], extra: ["AEROLITH_PASSWORD": "bob's password"])
        #expect(user.status == 0, "\(user.stderr)")
        #expect(try run(["user", "list"]).stdout.contains("bob@example.com"))
        #expect(try run(["role", "list"]).stdout.contains("writer"))
        let sessions = try run(["auth", "sessions", "--json"])
        #expect((sessions.json["sessions"] as? [[String: Any]])?.count == 1)

        // Sign out: the session ends on the server and the file is gone.
        let access = try #require(renewed["access_token"] as? String)
        #expect(try run(["auth", "logout"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try await fixture.meStatus(access) == 401)
        let after = try run(["auth", "whoami"])
        #expect(after.status == 2 && after.stderr.contains("missing_key"))

        // Sign in again as the new user; a wrong password is the server's refusal (exit 1).
        let tenantID = try #require(stored["tenant_id"] as? String)
        let wrong = try run(
            ["auth", "login", "--tenant", tenantID, "--email", "bob@example.com", "--password-stdin"], stdin: "nope nope nope\n")
        #expect(wrong.status == 1 && wrong.stderr.contains("invalid_credentials"))
        #expect(
            try run(["auth", "login", "--tenant", tenantID, "--email", "bob@example.com", "--password-stdin"], stdin: "bob's password\n")
                .status == 0)
        let denied = try run(["user", "list"])
        #expect(denied.status == 1 && denied.stderr.contains("forbidden"))
        #expect(try run(["doc", "put", "notes", "n1", "--data", #"{"by":"bob"}"#]).status == 0)
    }
}
