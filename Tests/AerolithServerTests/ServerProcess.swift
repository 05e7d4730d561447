import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// The real `aerolith` binary, started as a child process on a free loopback port with its own
/// data directory.
final class ServerProcess: @unchecked Sendable {
    // @unchecked: a test owns its server; the fields are only touched from that test.
    let dataDirectory: String
    private(set) var port: Int
    private var process: Process?
    private let logPath: String
    /// `--storage` for every start: this server's own PostgreSQL database, or none (SQLite).
    let storageArguments: [String]

    static let startTimeoutSeconds = 60.0
    /// Starts tried when the free port picked is taken by another test's server before ours binds it.
    static let startAttemptsMax = 5
    /// The metrics token tests configure with `metricsArguments`.
    static let metricsToken = "metrics-token-of-the-tests-0123456789"
    static let metricsArguments = ["--metrics-token", metricsToken]

    /// The `aerolith` executable built next to this test bundle.
    static var binary: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("aerolith").path
    }

    /// `sharingStorageOf`: another node on that server's storage (its PostgreSQL database), with
    /// its own data directory and port.
    init(dataDirectory: String? = nil, arguments: [String] = [], sharingStorageOf other: ServerProcess? = nil) async throws {
        self.dataDirectory = dataDirectory ?? NSTemporaryDirectory() + "aerolith-server-\(UUID().uuidString)"
        port = try Self.freePort()
        logPath = self.dataDirectory + ".log"
        storageArguments = try other?.storageArguments ?? TestStorage.serverArguments()
        try await start(arguments: arguments)
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var adminKey: String {
        get throws {
            try String(contentsOfFile: dataDirectory + "/admin.key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// `GET /metrics` with the tests' metrics token.
    func metrics() async throws -> HTTP.Reply { try await HTTP.send(.GET, baseURL + "/metrics", key: Self.metricsToken) }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func start(arguments: [String] = []) async throws {
        for attempt in 1...Self.startAttemptsMax {
            do {
                return try await startOnce(arguments: arguments)
            } catch is PortTaken where attempt < Self.startAttemptsMax {
                port = try Self.freePort()
            }
        }
    }

    /// Another process bound the port between `freePort` and the server's bind.
    private struct PortTaken: Error, CustomStringConvertible {
        var description: String { "another process took the server's port \(ServerProcess.startAttemptsMax) times" }
    }

    private func startOnce(arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments =
            ["serve", "--data-dir", dataDirectory, "--port", String(port), "--log-level", "notice"] + storageArguments + arguments
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let logStart = log.offsetInFile
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        // The line the server logs once it listens: `... notice aerolith: address=127.0.0.1:PORT data_dir=... listening`.
        let address = "address=127.0.0.1:\(port) "
        let deadline = Date().addingTimeInterval(Self.startTimeoutSeconds)
        while true {
            let expired = Date() >= deadline // one look after the deadline, for a task a busy machine kept waiting
            let startLog = String(decoding: Array(self.log.utf8).dropFirst(Int(logStart)), as: UTF8.self)
            let listens = startLog.split(separator: "\n").contains { $0.hasSuffix(" listening") && $0.contains(address) }
            if !process.isRunning {
                if startLog.contains("address_in_use") {
                    self.process = nil
                    throw PortTaken()
                }
                throw TestFailure("server exited at start: \(self.log)")
            }
            // Ready, and it is this process answering: it has logged that it listens. (Between a
            // stop and a start another test's server may take the port and answer instead.)
            if listens, let reply = try? await HTTP.send(.GET, baseURL + "/health/ready"), reply.status == 200 {
                return
            }
            if expired { throw TestFailure("server did not become ready: \(self.log)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Ends the server with `signal` and waits for it to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? 0 }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw TestFailure("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
