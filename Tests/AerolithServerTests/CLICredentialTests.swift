import Foundation
import Testing

/// Which credential a command used, and why: `auth whoami` says it, and a refusal a credential
/// caused names it, pointing at a stale AEROLITH_KEY that shadows a stored login.
@Suite struct CLICredentialTests {
    @Test func whoamiAndRefusalsNameTheCredential() async throws {
        let fixture = try await IdentityFixture.start()
        let configDirectory = NSTemporaryDirectory() + "aerolith-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: configDirectory) }
        let base = ["AEROLITH_URL": fixture.server.baseURL, "AEROLITH_CONFIG_DIR": configDirectory]
        let path = configDirectory + "/credentials.json"
        func run(_ arguments: [String], _ extra: [String: String] = [:], stdin: String? = nil) throws -> CLITests.Run {
            try CLITests.aerolith(arguments, environment: base.merging(extra) { $1 }, stdin: stdin)
        }
        let signup = try run(
            ["signup", "--tenant-name", "Acme", "--email", "ann@example.com", "--password-stdin", "--json"],
            stdin: "correct horse battery\n")
        #expect(signup.status == 0, "\(signup.stderr)")

        // Only the stored login: whoami says so.
        let whoami = try run(["auth", "whoami"])
        #expect(whoami.status == 0 && whoami.stdout.contains("credential: the stored login at \(path)"), "\(whoami.stdout)")
        let whoamiJSON = try run(["auth", "whoami", "--json"])
        #expect((whoamiJSON.json["credential"] as? [String: Any])?["source"] as? String == "stored_login")

        // A signed-in owner creates a key for their own tenant.
        let created = try run(["key", "create", "--name", "backend", "--role", "developer", "--json"])
        let secret = try #require(created.json["key"] as? String, "\(created.stderr)")

        // A valid key in AEROLITH_KEY wins over the login; whoami explains instead of pointing at an HTTP route.
        let shadowed = try run(["auth", "whoami"], ["AEROLITH_KEY": secret])
        #expect(shadowed.status == 1 && shadowed.stderr.contains("user_required"))
        #expect(
            shadowed.stderr.contains("AEROLITH_KEY") && shadowed.stderr.contains(path) && shadowed.stderr.contains("unset AEROLITH_KEY"),
            "\(shadowed.stderr)")
        #expect(!shadowed.stderr.contains("POST /v1/auth/login"))

        // A stale key: the refusal names the variable and the login it shadows.
        let stale = try run(["collection", "list"], ["AEROLITH_KEY": "ak_stale_0123456789abcdef"])
        #expect(stale.status == 1 && stale.stderr.contains("unauthenticated"))
        #expect(stale.stderr.contains("AEROLITH_KEY") && stale.stderr.contains("unset AEROLITH_KEY to use the login"), "\(stale.stderr)")

        // --key comes before both, and says so.
        let flag = try run(["collection", "list", "--key", "ak_wrong_0123456789abcdef"], ["AEROLITH_KEY": secret])
        #expect(flag.status == 1 && flag.stderr.contains("--key comes before AEROLITH_KEY and the stored login"), "\(flag.stderr)")

        // Formerly silent session commands answer JSON.
        let logout = try run(["auth", "logout", "--json"])
        #expect(logout.status == 0 && logout.json["signed_out"] as? Bool == true)
    }
}
