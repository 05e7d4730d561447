import Foundation
import Testing

/// The `aerolith` client commands against a real server, as a script would use them.
@Suite(.serialized) struct CLITests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:] }
    }

    static func aerolith(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AEROLITH_") }
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func clientCommandsEndToEnd() async throws {
        let server = try await ServerProcess()
        let admin = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": try server.adminKey]
        let tenant = try Self.aerolith(["tenant", "create", "Acme", "--plan", "professional", "--json"], environment: admin)
        #expect(tenant.status == 0, "\(tenant.stderr)")
        let tenantID = try #require(tenant.json["id"] as? String)
        #expect(tenant.json["plan"] as? String == "professional")
        let table = try Self.aerolith(["tenant", "list"], environment: admin)
        #expect(table.stdout.hasPrefix("ID") && table.stdout.contains(tenantID))
        #expect(try Self.aerolith(["tenant", "show", tenantID], environment: admin).stdout.contains("Acme"))

        let key = try Self.aerolith(["key", "create", "--tenant", tenantID, "--name", "ci", "--json"], environment: admin)
        let secret = try #require(key.json["key"] as? String)
        let keyID = try #require(key.json["id"] as? String)
        #expect(try Self.aerolith(["key", "list", "--tenant", tenantID], environment: admin).stdout.contains(keyID))

        let user = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": secret]
        #expect(try Self.aerolith(["collection", "create", "notes"], environment: user).status == 0)
        let put = try Self.aerolith(["doc", "put", "notes", "n1", "--data", #"{"title":"hello","rank":2}"#, "--json"], environment: user)
        #expect(put.status == 0 && put.json["version"] as? Int == 1)
        let fromStdin = try Self.aerolith(
            ["doc", "put", "notes", "--data", "-", "--json"], environment: user, stdin: #"{"title":"piped","rank":1}"#)
        #expect(fromStdin.status == 0 && (fromStdin.json["id"] as? String)?.count == 26)
        #expect(try Self.aerolith(["doc", "get", "notes", "n1"], environment: user).stdout.contains("hello"))
        let query = try Self.aerolith(
            ["doc", "query", "notes", "--filter", #"{"rank":{"$gte":1}}"#, "--sort", "rank", "--json"], environment: user)
        #expect(
            (query.json["documents"] as? [[String: Any]])?.compactMap { ($0["data"] as? [String: Any])?["title"] as? String } == [
                "piped", "hello",
            ])
        #expect(try Self.aerolith(["collection", "list"], environment: user).stdout.contains("notes"))

        // Failures print the server's code and exit non-zero.
        let conflict = try Self.aerolith(["doc", "put", "notes", "n1", "--data", "{}", "--if-match", "9"], environment: user)
        #expect(conflict.status == 1 && conflict.stderr.contains("version_conflict"))
        let missing = try Self.aerolith(["doc", "get", "notes", "nope"], environment: user)
        #expect(missing.status == 1 && missing.stderr.contains("document_not_found"))
        let badJSON = try Self.aerolith(["doc", "put", "notes", "--data", "{oops"], environment: user)
        #expect(badJSON.status == 2 && badJSON.stderr.contains("invalid_argument"))
        #expect(try Self.aerolith(["doc", "delete", "notes", "n1", "--yes"], environment: user).status == 0)
        #expect(try Self.aerolith(["key", "revoke", "--tenant", tenantID, keyID, "--yes"], environment: admin).status == 0)
        let revoked = try Self.aerolith(["collection", "list"], environment: user)
        #expect(revoked.status == 1 && revoked.stderr.contains("unauthenticated"))
    }

    @Test func usageAndConnectionErrors() throws {
        let noKey = try Self.aerolith(["collection", "list"])
        #expect(noKey.status == 2 && noKey.stderr.contains("missing_key"))
        let unreachable = try Self.aerolith([
            "collection", "list", "--url", "http://127.0.0.1:\(try ServerProcess.freePort())", "--key", "k",
        ])
        #expect(unreachable.status == 3 && unreachable.stderr.contains("connection_failed"))
        #expect(try Self.aerolith(["collection", "frobnicate"]).status != 0)
        #expect(try Self.aerolith(["--version"]).stdout.contains("0.1.0"))
    }

    @Test func serveConfigurationIsValidatedWithPrecedence() async throws {
        let directory = NSTemporaryDirectory() + "aerolith-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/config.json"
        for (content, message) in [
            (#"{"port": "eighty"}"#, "port"), (#"{"colour": "blue"}"#, "unknown setting"), ("{not json", "not valid JSON"),
            (#"{"durability": "maybe"}"#, "durability"), (#"{"log_level": "loud"}"#, "log_level"),
        ] {
            try content.write(toFile: config, atomically: true, encoding: .utf8)
            let run = try Self.aerolith(["serve", "--config", config, "--data-dir", directory + "/data"])
            #expect(
                run.status == 2 && run.stderr.contains("invalid_configuration") && run.stderr.contains(message), "\(content): \(run.stderr)"
            )
        }
        #expect(try Self.aerolith(["serve", "--config", directory + "/missing.json"]).stderr.contains("invalid_configuration"))
        // Flags beat the environment, which beats the file: the file's bad port never matters here.
        try #"{"port": "not-a-port", "log_level": "debug"}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let envOverride = try Self.aerolith(["serve", "--config", config], environment: ["AEROLITH_PORT": "99999"])
        #expect(envOverride.stderr.contains("port \"99999\""))
        let flagOverride = try Self.aerolith(["serve", "--config", config, "--port", "70000"], environment: ["AEROLITH_PORT": "99999"])
        #expect(flagOverride.stderr.contains("port \"70000\""))
        // A data directory path that is a file is refused at startup.
        try "x".write(toFile: directory + "/file", atomically: true, encoding: .utf8)
        let notDirectory = try Self.aerolith(["serve", "--data-dir", directory + "/file", "--port", "0"])
        #expect(notDirectory.status == 2 && notDirectory.stderr.contains("not a directory"))
    }
}
