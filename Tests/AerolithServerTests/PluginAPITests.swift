import Foundation
import Testing

/// Plugins dropped into a plugin directory, seen through the running server's API and CLI.
@Suite(.serialized) struct PluginAPITests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("AerolithKernelTests/Fixtures/configurable_plugin.c").path
    static let include = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SDK/include").path

    static func compile(_ output: String, _ defines: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        process.arguments = ["-shared", "-fPIC", "-std=c11", "-I", include, "-o", output, fixture] + defines.map { "-D" + $0 }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("cc failed for \(output)") }
    }

    @Test func listsLoadedAndRefusedPluginsAndKeepsServing() async throws {
        let pluginDirectory = NSTemporaryDirectory() + "aerolith-plugin-dir-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: pluginDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: pluginDirectory) }
        try Self.compile(pluginDirectory + "/a_good.so", [])
        try Self.compile(pluginDirectory + "/b_newer_major.so", ["ABI_MAJOR=2", "PLUGIN_NAME=\"newer\""])
        try Self.compile(pluginDirectory + "/c_same_name.so", ["ABI_MINOR=3"])
        try "not a library".write(toFile: pluginDirectory + "/d_text.so", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pluginDirectory + "/d_text.so")

        let server = try await ServerProcess(arguments: ["--plugin-dir", pluginDirectory])
        let admin = try server.adminKey
        let listing = try await HTTP.send(.GET, server.baseURL + "/v1/plugins", key: admin)
        #expect(listing.status == 200)
        let plugins = (listing.json["plugins"] as? [[String: Any]] ?? []).filter {
            ($0["file"] as? String)?.hasPrefix(pluginDirectory) == true
        }
        func entry(_ file: String) -> [String: Any]? { plugins.first { ($0["file"] as? String)?.hasSuffix(file) == true } }
        #expect(entry("a_good.so")?["state"] as? String == "enabled")
        #expect(entry("a_good.so")?["name"] as? String == "configurable")
        #expect((entry("b_newer_major.so")?["reason"] as? [String: String])?["code"] == "abi_mismatch")
        #expect((entry("b_newer_major.so")?["reason"] as? [String: String])?["detail"]?.contains("abi major: plugin 2, host 1") == true)
        #expect((entry("c_same_name.so")?["reason"] as? [String: String])?["code"] == "duplicate_name")
        #expect((entry("d_text.so")?["reason"] as? [String: String])?["code"] == "not_elf")

        let one = try await HTTP.send(.GET, server.baseURL + "/v1/plugins/configurable", key: admin)
        #expect((one.json["functions"] as? [[String: String]])?.first?["signature"] == "i64(i64,i64)")
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/plugins/none", key: admin).code == "plugin_not_found")
        let tenant = try await TenantFixture.make(server: server)
        #expect(try await tenant.send(.GET, "/v1/plugins").status == 403)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"still-serving"}"#).status == 201)

        let cli = try CLITests.aerolith(["plugin", "list"], environment: ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": admin])
        #expect(cli.status == 0 && cli.stdout.contains("configurable") && cli.stdout.contains("refused"))

        // Exported functions, called through libffi by signature.
        let functions = server.baseURL + "/v1/plugins/configurable/functions/add_i64"
        let sum = try await HTTP.send(.POST, functions, key: admin, body: #"{"arguments":[40,2]}"#)
        #expect(sum.status == 200 && sum.json["result"] as? Int == 42)
        #expect(try await HTTP.send(.POST, functions, key: admin, body: #"{"arguments":[1]}"#).code == "invalid_arguments")
        #expect(try await HTTP.send(.POST, functions, key: admin, body: #"{"arguments":[1.5,2]}"#).code == "invalid_arguments")
        #expect(try await HTTP.send(.POST, functions, key: admin, body: #"{"arguments":["1",2]}"#).code == "invalid_parameter")
        #expect(
            try await HTTP.send(.POST, server.baseURL + "/v1/plugins/configurable/functions/nope", key: admin, body: "{}").code
                == "function_not_found")
        #expect(try await tenant.send(.POST, "/v1/plugins/configurable/functions/add_i64", body: #"{"arguments":[1,2]}"#).status == 403)
        let called = try CLITests.aerolith(
            ["plugin", "call", "configurable", "add_i64", "20", "22"],
            environment: ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": admin])
        #expect(called.status == 0 && called.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "42")
    }
}
