import Foundation
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A running server and the files in its plugin directory: rewritten in place while loaded
/// (`cp` over the file, `make` writing into it) and reached through links.
@Suite(.serialized) struct PluginRewriteTests {
    static let forbidden = #"{"forbidden":true}"#

    /// A server with the C example loaded and active for one tenant, whose hook refuses
    /// documents with a top-level "forbidden" key.
    static func serverWithHello() async throws -> (ServerProcess, TenantFixture, plugins: String) {
        let server = try await ServerProcess()
        let plugins = try PluginHookTests.pluginDirectory(of: server)
        let acme = try await TenantFixture.make(server: server, name: "Acme")
        #expect(try await acme.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201)
        try PluginHookTests.install(PluginHookTests.repository + "/SDK/examples/c/hello_plugin.c", as: "hello.so", in: plugins)
        try await PluginHookTests.eventually("the plugin to load") {
            try await PluginHookTests.admin(server, .GET, "/v1/plugins/hello").status == 200
        }
        #expect(try await PluginHookTests.admin(server, .POST, "/v1/tenants/\(acme.tenantID)/plugins/hello").status == 200)
        #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: forbidden).code == "forbidden_key")
        return (server, acme, plugins)
    }

    /// The C example compiled to a file outside the plugin directory; its bytes.
    static func freshBuild(in directory: String) throws -> String {
        try PluginHookTests.install(PluginHookTests.repository + "/SDK/examples/c/hello_plugin.c", as: "staged-hello", in: directory)
        return directory + "/staged-hello"
    }

    static func replacedCount(_ server: ServerProcess) async throws -> Int {
        let listing = try await PluginHookTests.admin(server, .GET, "/v1/plugins")
        return (listing.json["plugins"] as? [[String: Any]] ?? []).filter {
            $0["name"] as? String == "hello" && $0["state"] as? String == "replaced"
        }.count
    }

    /// The plugin's hook still runs for every request, and the server ends cleanly on SIGTERM.
    static func keepsServingThenStops(_ server: ServerProcess, _ acme: TenantFixture) async throws {
        for _ in 0..<20 {
            #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: forbidden).code == "forbidden_key")
        }
        #expect(try await PluginHookTests.admin(server, .GET, "/v1/plugins/hello").json["state"] as? String == "enabled")
        #expect(server.stop(signal: SIGTERM) == 0)
    }

    @Test func copyingOverALoadedPluginIsANewVersion() async throws {
        let (server, acme, plugins) = try await Self.serverWithHello()
        let staging = NSTemporaryDirectory() + "aerolith-staging-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let built = try Self.freshBuild(in: staging)
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = [built, plugins + "/hello.so"]
        try copy.run()
        copy.waitUntilExit()
        #expect(copy.terminationStatus == 0)
        try await PluginHookTests.eventually("the copy to be loaded as a new version") { try await Self.replacedCount(server) == 1 }
        try await Self.keepsServingThenStops(server, acme)
        #expect(!server.log.contains("modified_in_place"))
    }

    @Test func writingIntoALoadedPluginSlowlyNeverRunsHalfAFile() async throws {
        let (server, acme, plugins) = try await Self.serverWithHello()
        let staging = NSTemporaryDirectory() + "aerolith-staging-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Self.freshBuild(in: staging))))
        // As a compiler's linker writes its output: truncate, then write, here in two halves with
        // rescans in between.
        let descriptor = open(plugins + "/hello.so", O_WRONLY | O_TRUNC)
        #expect(descriptor >= 0)
        let half = bytes.count / 2
        #expect(bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, half) } == half)
        try await Task.sleep(for: .milliseconds(2_500))
        #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: Self.forbidden).code == "forbidden_key")
        let listing = try await PluginHookTests.admin(server, .GET, "/v1/plugins")
        let refused = (listing.json["plugins"] as? [[String: Any]] ?? []).first { $0["state"] as? String == "refused" }
        #expect((refused?["reason"] as? [String: String])?["code"] == "incomplete_file")
        #expect(bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + half, bytes.count - half) } == bytes.count - half)
        close(descriptor)
        try await PluginHookTests.eventually("the rewritten file to be loaded as a new version") {
            try await Self.replacedCount(server) == 1
        }
        try await Self.keepsServingThenStops(server, acme)
    }

    @Test func aLinkToAFileInAWritableDirectoryIsRefused() async throws {
        let server = try await ServerProcess()
        let plugins = try PluginHookTests.pluginDirectory(of: server)
        let open = NSTemporaryDirectory() + "aerolith-open-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: open) }
        try PluginHookTests.install(PluginHookTests.repository + "/SDK/examples/c/hello_plugin.c", as: "hello.so", in: open)
        #expect(chmod(open, 0o777) == 0)
        #expect(symlink(open + "/hello.so", plugins + "/hello.so") == 0)
        var reason: [String: String]?
        try await PluginHookTests.eventually("the link to be refused") {
            let listing = try await PluginHookTests.admin(server, .GET, "/v1/plugins")
            reason =
                (listing.json["plugins"] as? [[String: Any]] ?? []).first { ($0["file"] as? String) == plugins + "/hello.so" }?["reason"]
                as? [String: String]
            return reason != nil
        }
        #expect(reason?["code"] == "unsafe_permissions")
        #expect(reason?["detail"]?.contains(open) == true)
        #expect(try await PluginHookTests.admin(server, .GET, "/v1/plugins/hello").code == "plugin_not_found")
    }
}
