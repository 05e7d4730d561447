import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Failures a person meets first, through the real `aerolith` binary: each message says what
/// failed, where (the address or path, and the flag or variable it came from) and what to do,
/// under a stable code; and a start that fails leaves nothing it created behind.
@Suite struct StartupErrorTests {
    struct Run {
        let exited: Bool
        let status: Int32
        let stderr: String
    }

    /// Whether directory permissions bind this process's children: not as root, unless the
    /// child can be run without the capabilities that override them (`setpriv`).
    static let permissionsApply = geteuid() != 0 || FileManager.default.isExecutableFile(atPath: setpriv)
    static let setpriv = "/usr/bin/setpriv"

    /// Runs `aerolith` with `arguments`, killed if still running after the start timeout (a
    /// server that started instead of failing). `bound`: as root, without the capabilities that
    /// override file permissions, so a directory's mode applies to it as to any other user.
    static func aerolith(_ arguments: [String], environment: [String: String] = [:], bound: Bool = false) async throws -> Run {
        let errPath = NSTemporaryDirectory() + "aerolith-startup-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let process = Process()
        if bound && geteuid() == 0 {
            process.executableURL = URL(fileURLWithPath: setpriv)
            process.arguments = ["--bounding-set", "-dac_override,-dac_read_search", "--", ServerProcess.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AEROLITH_") }.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        let deadline = Date().addingTimeInterval(ServerProcess.startTimeoutSeconds)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let exited = !process.isRunning
        if !exited { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return Run(exited: exited, status: process.terminationStatus, stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    static func freshPath() -> String { NSTemporaryDirectory() + "aerolith-startup-\(UUID().uuidString)" }

    /// A listening socket on a free loopback port, held until `close`.
    static func occupyPort() throws -> (port: Int, descriptor: Int32) {
        let port = try ServerProcess.freePort()
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, listen(descriptor, 1) == 0 else { throw TestFailure("cannot occupy port \(port)") }
        return (port, descriptor)
    }

    /// No transport dump: no errno numbers, no Swift type or Foundation error descriptions.
    static func isPlain(_ message: String) -> Bool {
        !["errno", "error set", "bind(descriptor", "NSCocoaErrorDomain", "Error Domain", "StorageError(", "IOError", "(code:"].contains {
            message.contains($0)
        }
    }

    @Test func anUnreachableServerIsNamedWithTheURLItsOriginAndWhatToDo() async throws {
        let url = "http://127.0.0.1:\(try ServerProcess.freePort())"
        let flag = try await Self.aerolith(["collection", "list", "--url", url, "--key", "k"])
        #expect(flag.status == 3 && flag.stderr.hasPrefix("error: connection_failed: "), "\(flag.stderr)")
        #expect(
            flag.stderr.contains("cannot reach the server at \(url)") && flag.stderr.contains("the --url flag")
                && flag.stderr.contains("connection refused") && flag.stderr.contains("aerolith serve"), "\(flag.stderr)")
        #expect(Self.isPlain(flag.stderr), "\(flag.stderr)")
        let variable = try await Self.aerolith(["collection", "list"], environment: ["AEROLITH_URL": url, "AEROLITH_KEY": "k"])
        #expect(variable.status == 3 && variable.stderr.contains("the environment variable AEROLITH_URL"), "\(variable.stderr)")
    }

    @Test func aTakenPortIsReportedBeforeAnythingIsCreated() async throws {
        let occupied = try Self.occupyPort()
        defer { close(occupied.descriptor) }
        let parent = Self.freshPath()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let dataDirectory = parent + "/nested/data"
        let flag = try await Self.aerolith(["serve", "--port", String(occupied.port), "--data-dir", dataDirectory])
        #expect(flag.exited && flag.status == 2 && flag.stderr.hasPrefix("error: address_in_use: "), "\(flag.stderr)")
        #expect(
            flag.stderr.contains("127.0.0.1:\(occupied.port)") && flag.stderr.contains("the port from the --port flag")
                && flag.stderr.contains("choose another port"), "\(flag.stderr)")
        #expect(Self.isPlain(flag.stderr), "\(flag.stderr)")
        #expect(!FileManager.default.fileExists(atPath: parent), "the failed start left \(parent) behind")
        let variable = try await Self.aerolith(
            ["serve", "--data-dir", dataDirectory], environment: ["AEROLITH_PORT": String(occupied.port)])
        #expect(
            variable.status == 2 && variable.stderr.contains("address_in_use")
                && variable.stderr.contains("the environment variable AEROLITH_PORT"),
            "\(variable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: parent))
    }

    @Test(.enabled(if: permissionsApply)) func anUnwritableParentNamesTheParentAndTheFlag() async throws {
        let parent = Self.freshPath()
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let run = try await Self.aerolith(["serve", "--port", "0", "--data-dir", parent + "/sub/data"], bound: true)
        #expect(run.exited && run.status == 2 && run.stderr.hasPrefix("error: data_dir_not_writable: "), "\(run.stderr)")
        #expect(
            run.stderr.contains("cannot create the data directory \(parent)/sub/data")
                && run.stderr.contains("its parent \(parent) is not writable")
                && run.stderr.contains("mode 0555") && run.stderr.contains("the --data-dir flag"), "\(run.stderr)")
        #expect(Self.isPlain(run.stderr), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }

    @Test(.enabled(if: permissionsApply)) func aReadOnlyDataDirectoryIsRefusedPlainly() async throws {
        let directory = Self.freshPath()
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o500])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try await Self.aerolith(["serve", "--port", "0"], environment: ["AEROLITH_DATA_DIR": directory], bound: true)
        #expect(run.exited && run.status == 2 && run.stderr.hasPrefix("error: data_dir_not_writable: "), "\(run.stderr)")
        #expect(
            run.stderr.contains("the data directory \(directory) is not writable") && run.stderr.contains("mode 0500")
                && run.stderr.contains("the environment variable AEROLITH_DATA_DIR") && run.stderr.contains("chmod 700"), "\(run.stderr)")
        #expect(Self.isPlain(run.stderr), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)

        // A writable directory holding a read-only database names the file.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        FileManager.default.createFile(atPath: directory + "/aerolith.db", contents: nil, attributes: [.posixPermissions: 0o400])
        let file = try await Self.aerolith(["serve", "--port", "0", "--data-dir", directory], bound: true)
        #expect(
            file.exited && file.status == 2 && file.stderr.hasPrefix("error: data_dir_not_writable: ")
                && file.stderr.contains("the database file \(directory)/aerolith.db is not writable") && file.stderr.contains("chmod 600"),
            "\(file.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["aerolith.db"])
    }

    /// A start that fails after the database and admin key were made removes them, and the
    /// directories it made; a directory that existed keeps what it held.
    @Test func aStartFailingLaterRemovesWhatItCreated() async throws {
        let parent = Self.freshPath()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let missingKey = Self.freshPath() + "/admin.key"
        let fresh = try await Self.aerolith(["serve", "--port", "0", "--data-dir", parent + "/data", "--admin-key-file", missingKey])
        #expect(fresh.exited && fresh.status == 2 && fresh.stderr.contains("error: "), "\(fresh.stderr)")
        #expect(!FileManager.default.fileExists(atPath: parent), "the failed start left \(parent) behind")

        let existing = Self.freshPath()
        try FileManager.default.createDirectory(
            atPath: existing, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: existing) }
        try "mine".write(toFile: existing + "/notes.txt", atomically: true, encoding: .utf8)
        let inExisting = try await Self.aerolith(["serve", "--port", "0", "--data-dir", existing, "--admin-key-file", missingKey])
        #expect(inExisting.exited && inExisting.status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: existing) == ["notes.txt"])
    }
}
