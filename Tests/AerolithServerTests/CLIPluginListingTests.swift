import Foundation
import Testing

/// `plugin list` shows one row per plugin or refused file with the refusal code in REASON, and
/// forgets a refused file once it is removed.
@Suite struct CLIPluginListingTests {
    @Test func refusedFilesAreListedWithTheirCodeUntilRemoved() async throws {
        let pluginDirectory = NSTemporaryDirectory() + "aerolith-plugins-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: pluginDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: pluginDirectory) }
        let server = try await ServerProcess(arguments: ["--plugin-dir", pluginDirectory])
        let admin = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": try server.adminKey]
        let junk = pluginDirectory + "/junk.so"
        try "not an ELF file".write(toFile: junk, atomically: true, encoding: .utf8)
        chmod(junk, 0o644)

        func listed() throws -> [[String: Any]] {
            (try CLITests.aerolith(["plugin", "list", "--json"], environment: admin).json["plugins"] as? [[String: Any]]) ?? []
        }
        var refused: [String: Any]?
        for _ in 0..<60 where refused == nil {
            refused = try listed().first { $0["file"] as? String == junk }
            if refused == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let code = try #require((refused?["reason"] as? [String: Any])?["code"] as? String)
        let table = try CLITests.aerolith(["plugin", "list"], environment: admin)
        let row = try #require(table.stdout.split(separator: "\n").first { $0.contains(junk) })
        #expect(row.hasSuffix(code) && table.stdout.contains("refused:"), "\(table.stdout)")
        // The first-party audit plugin is listed once, as enabled.
        #expect(try listed().filter { $0["name"] as? String == "audit" }.count == 1)

        try FileManager.default.removeItem(atPath: junk)
        var gone = false
        for _ in 0..<60 where !gone {
            gone = try !listed().contains { $0["file"] as? String == junk }
            if !gone { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(gone, "a removed file is still listed")
    }
}
