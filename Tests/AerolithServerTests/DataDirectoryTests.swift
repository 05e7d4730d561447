import Foundation
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The data directory holds the admin key, signing secrets, password hashes and every tenant's
/// data: private from the first byte, and served by one process at a time.
@Suite struct DataDirectoryTests {
    static func mode(_ path: String) throws -> Int {
        guard let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int else {
            throw TestFailure("no mode for \(path)")
        }
        return mode & 0o777
    }

    static func freshDirectory() -> String { NSTemporaryDirectory() + "aerolith-datadir-\(UUID().uuidString)" }

    /// Runs `aerolith serve` expecting it to refuse to start; one that is still running after
    /// `ServerProcess.startTimeoutSeconds` (it started) is killed and reported as not exited.
    static func refusedServe(_ arguments: [String]) async throws -> (exited: Bool, status: Int32, output: String) {
        let logPath = NSTemporaryDirectory() + "aerolith-refused-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = ["serve", "--port", "0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AEROLITH_") }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(ServerProcess.startTimeoutSeconds)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let exited = !process.isRunning
        if !exited { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (exited, process.terminationStatus, (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
    }

    @Test(.enabled(if: !TestStorage.isPostgres, TestStorage.sqliteOnly)) func secretsAndDatabasesArePrivate() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201)
        let directory = server.dataDirectory
        #expect(try Self.mode(directory) == 0o700)
        for file in ["admin.key", "aerolith.db", "aerolith.db-wal", "aerolith.db-shm", "aerolith.lock"] {
            #expect(try Self.mode(directory + "/" + file) == 0o600, "\(file)")
        }
    }

    @Test(.enabled(if: !TestStorage.isPostgres, TestStorage.sqliteOnly)) func aDirectoryOthersCanReachIsRefusedUnlessAllowed() async throws
    {
        let directory = Self.freshDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let refused = try await Self.refusedServe(["--data-dir", directory])
        #expect(refused.exited && refused.status != 0 && refused.output.contains("data_dir_insecure"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/aerolith.db"))

        let allowed = try await ServerProcess(dataDirectory: directory, arguments: ["--allow-insecure-data-dir"])
        #expect(allowed.log.contains("data_dir_insecure"))
        #expect(try await HTTP.send(.GET, allowed.baseURL + "/health/ready").status == 200)
        // Its files are private even so.
        #expect(try Self.mode(directory + "/admin.key") == 0o600 && Self.mode(directory + "/aerolith.db") == 0o600)
    }

    @Test func aSecondServerOnTheSameDirectoryIsRefused() async throws {
        let first = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: first)
        let pid = try String(contentsOfFile: first.dataDirectory + "/aerolith.lock", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(Int(pid) != nil)
        let second = try await Self.refusedServe(["--data-dir", first.dataDirectory])
        #expect(
            second.exited && second.status != 0 && second.output.contains("data_dir_locked") && second.output.contains("pid \(pid)"),
            "\(second.output)")
        // The first keeps serving, and once it stops the directory can be used again.
        #expect(try await tenant.send(.GET, "/v1/collections").status == 200)
        first.stop()
        try await first.start()
        #expect(try await tenant.send(.GET, "/v1/collections").status == 200)
    }
}
