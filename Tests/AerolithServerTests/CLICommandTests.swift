import Foundation
import Testing

/// The CLI's newer commands and conventions against a real server: own-tenant keys, indexes,
/// merge patch, batches, usage, signing-key rotation, JSON for every command, confirmation of
/// destructive commands, idempotent messages, the version, and typos.
@Suite(.serialized) struct CLICommandTests {
    static func run(_ arguments: [String], _ environment: [String: String], stdin: String? = nil) throws -> CLITests.Run {
        try CLITests.aerolith(arguments, environment: environment, stdin: stdin)
    }

    @Test func everyRouteFamilyFromTheCommandLine() async throws {
        let server = try await ServerProcess()
        let admin = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": try server.adminKey]
        let tenantID = try #require(try Self.run(["tenant", "create", "Acme", "--json"], admin).json["id"] as? String)
        let tenantKey = try Self.run(["key", "create", "--tenant", tenantID, "--name", "ops", "--role", "admin", "--json"], admin)
        let user = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": try #require(tenantKey.json["key"] as? String)]

        // The tenant's own keys: /v1/keys, no tenant named.
        let own = try Self.run(["key", "create", "--name", "reporting", "--role", "viewer", "--json"], user)
        #expect(own.status == 0 && own.json["tenant_id"] as? String == tenantID, "\(own.stderr)")
        let ownID = try #require(own.json["id"] as? String)
        #expect(try Self.run(["key", "list"], user).stdout.contains(ownID))
        let revoke = try Self.run(["key", "revoke", ownID, "--yes", "--json"], user)
        #expect(revoke.status == 0 && revoke.json["revoked"] as? Bool == true && revoke.json["already_revoked"] as? Bool == false)
        let again = try Self.run(["key", "revoke", ownID, "--yes"], user)
        #expect(again.status == 0 && again.stdout.contains("already revoked"), "\(again.stdout)")
        #expect(try Self.run(["key", "revoke", ownID, "--json"], user).json["already_revoked"] as? Bool == true)

        // Collections, indexes, merge patch, batch, explain, usage.
        #expect(try Self.run(["collection", "create", "users"], user).status == 0)
        #expect(try Self.run(["collection", "show", "users", "--json"], user).json["name"] as? String == "users")
        let index = try Self.run(["index", "create", "users", "by_city", "--paths", "address.city", "--json"], user)
        #expect(index.status == 0 && index.json["name"] as? String == "by_city", "\(index.stderr)")
        #expect(try Self.run(["index", "list", "users"], user).stdout.contains("address.city"))
        #expect(try Self.run(["doc", "put", "users", "ann", "--data", #"{"age":31,"address":{"city":"Oslo"}}"#], user).status == 0)
        let patched = try Self.run(
            ["doc", "patch", "users", "ann", "--data", #"{"age":32,"address":null}"#, "--if-match", "1", "--json"], user)
        #expect(patched.json["version"] as? Int == 2 && (patched.json["data"] as? [String: Any])?["address"] == nil, "\(patched.stderr)")
        let stale = try Self.run(["doc", "patch", "users", "ann", "--data", "{}", "--if-match", "1"], user)
        #expect(stale.status == 1 && stale.stderr.contains("version_conflict"))
        let batch = try Self.run(
            [
                "doc", "batch", "users", "--json", "--operations",
                #"[{"op":"create","id":"bob","data":{"age":25}},{"op":"delete","id":"ann"}]"#,
            ], user)
        #expect((batch.json["results"] as? [[String: Any]])?.compactMap { $0["status"] as? Int } == [201, 204], "\(batch.stderr)")
        let plan = try Self.run(["doc", "query", "users", "--filter", #"{"address.city":"Oslo"}"#, "--explain"], user)
        #expect(plan.status == 0 && (TestStorage.isPostgres || plan.stdout.contains("by_city")), "\(plan.stdout)")
        let usage = try Self.run(["usage", "--json"], user)
        #expect(usage.json["documents"] as? Int == 1 && usage.json["collections"] as? Int == 1, "\(usage.stdout)")

        // Formerly silent commands answer JSON.
        let deleted = try Self.run(["doc", "delete", "users", "bob", "--yes", "--json"], user)
        #expect(deleted.json["deleted"] as? Bool == true && deleted.json["id"] as? String == "bob")
        #expect(try Self.run(["index", "drop", "users", "by_city", "--yes", "--json"], user).json["dropped"] as? Bool == true)
        let dropped = try Self.run(["collection", "drop", "users", "--yes", "--json"], user)
        #expect(dropped.json["dropped"] as? Bool == true && dropped.json["collection"] as? String == "users")

        // Admin-only: signing-key rotation, plugins, and any route through `api`.
        #expect((try Self.run(["auth", "rotate-signing-key", "--json"], admin).json["kid"] as? String)?.isEmpty == false)
        #expect(try Self.run(["plugin", "activate", "audit", "--tenant", tenantID], admin).status == 0)
        let info = try Self.run(["plugin", "info", "audit"], admin)
        #expect(info.status == 0 && info.stdout.contains("hooks:") && info.stdout.contains("tenants active: \(tenantID)"), "\(info.stdout)")
        let api = try Self.run(["api", "GET", "/v1/plugins/audit"], admin)
        #expect(api.status == 0 && api.json["name"] as? String == "audit")
        let health = try Self.run(["health", "--json"], ["AEROLITH_URL": server.baseURL])
        #expect((health.json["ready"] as? [String: Any])?["status"] as? String == "ready")
    }

    @Test func destructiveCommandsNeedYesWithoutATerminal() async throws {
        let server = try await ServerProcess()
        let admin = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": try server.adminKey]
        let tenantID = try #require(try Self.run(["tenant", "create", "Acme", "--json"], admin).json["id"] as? String)
        let secret = try #require(
            try Self.run(["key", "create", "--tenant", tenantID, "--name", "k", "--json"], admin).json["key"] as? String)
        let user = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": secret]
        #expect(try Self.run(["collection", "create", "notes"], user).status == 0)
        #expect(try Self.run(["doc", "put", "notes", "n1", "--data", "{}"], user).status == 0)
        for command in [["doc", "delete", "notes", "n1"], ["collection", "drop", "notes"]] {
            let refused = try Self.run(command, user, stdin: "y\n")
            #expect(
                refused.status == 2 && refused.stderr.contains("confirmation_required") && refused.stderr.contains("--yes"),
                "\(refused.stderr)")
        }
        #expect(try Self.run(["doc", "get", "notes", "n1"], user).status == 0)
    }

    @Test func versionNamesTheCommitItWasBuiltFrom() throws {
        let version = try CLITests.aerolith(["version", "--json"])
        #expect(version.status == 0 && version.json["version"] as? String == "0.1.0")
        let commit = try #require(version.json["commit"] as? String)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .path
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", repository, "rev-parse", "HEAD"]
        let out = Pipe()
        git.standardOutput = out
        git.standardError = FileHandle.nullDevice
        try git.run()
        let head = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
        git.waitUntilExit()
        if git.terminationStatus == 0 { #expect(commit == head) } else { #expect(commit == "unknown") }
        let text = try CLITests.aerolith(["version"])
        #expect(text.stdout.hasPrefix("aerolith 0.1.0 (commit \(commit)"))
        #expect(try CLITests.aerolith(["--version"]).stdout.contains(commit))
    }

    @Test func typosAndCompletions() throws {
        let typo = try CLITests.aerolith(["colection", "list"])
        #expect(
            typo.status == 64 && typo.stderr.contains("unknown_subcommand") && typo.stderr.contains("did you mean \"aerolith collection\""),
            "\(typo.stderr)")
        let nested = try CLITests.aerolith(["doc", "delet", "notes", "n1"])
        #expect(nested.status == 64 && nested.stderr.contains("aerolith doc delete"), "\(nested.stderr)")
        let far = try CLITests.aerolith(["frobnicate"])
        #expect(far.status == 64 && far.stderr.contains("unknown_subcommand") && !far.stderr.contains("did you mean"))
        let completion = try CLITests.aerolith(["--generate-completion-script", "bash"])
        #expect(completion.status == 0 && completion.stdout.contains("_aerolith"))
        #expect(try CLITests.aerolith(["--help"]).stdout.contains("--generate-completion-script"))
    }
}
