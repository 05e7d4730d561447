import Foundation
import Testing

/// The connection limits over real loopback TCP: a slow header, an idle kept-alive connection and
/// too many connections are each closed by the server, and it keeps answering.
@Suite struct ConnectionLimitTests {
    /// Longer than every timeout configured here, by far; only keeps a broken server from
    /// hanging the test.
    static let waitSeconds = 20.0
    /// How long the table of connections is watched after it first holds the maximum.
    static let settleSeconds = 1.0

    @Test func headerTrickledAByteASecondIsCutOffAtTheHeaderTimeout() async throws {
        let server = try await ServerProcess(arguments: ["--header-read-timeout-seconds", "2", "--idle-timeout-seconds", "600"])
        let connection = try RawConnection(port: server.port)
        let header = Array("GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + String(repeating: "a", count: 100))
        var closed = false
        let deadline = Date().addingTimeInterval(Self.waitSeconds)
        for character in header where Date() < deadline {
            if !connection.send(String(character)) || connection.receiveAvailable() == nil {
                closed = true
                break
            }
            try await Task.sleep(for: .seconds(1))
        }
        #expect(closed, "a header trickled a byte a second kept its connection open")
        // The server still answers others.
        let other = try RawConnection(port: server.port)
        let reply = try await other.request("/health/live")
        #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
    }

    @Test func idleKeptAliveConnectionIsClosedAtTheIdleTimeout() async throws {
        let server = try await ServerProcess(arguments: ["--header-read-timeout-seconds", "600", "--idle-timeout-seconds", "2"])
        let connection = try RawConnection(port: server.port)
        let reply = try await connection.request("/health/live")
        #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
        #expect(!reply.lowercased().contains("connection: close"), "the response should keep the connection alive: \(reply)")
        let closed = try await connection.isClosedByServer(within: Self.waitSeconds)
        #expect(closed, "an idle kept-alive connection stayed open")
    }

    @Test func silentConnectionsAtTheMaximumMakeRoomForOnesThatSendARequest() async throws {
        let connectionsMax = 4
        let server = try await ServerProcess(arguments: [
            "--connections-max", String(connectionsMax),
            "--header-read-timeout-seconds", "600", "--idle-timeout-seconds", "600",
        ])
        // Twice the maximum of silent connections: each one beyond it takes the place of the one
        // idle the longest, so the oldest are closed and the table never holds more than the maximum.
        let silent = try (0..<(connectionsMax * 2)).map { _ in try RawConnection(port: server.port) }
        // Until every one is admitted (on a loaded machine that takes a while), fewer are closed:
        // wait for the table to be full rather than for a fixed time. (Which ones are closed
        // follows the order the event loops admitted them in, only roughly the connect order.)
        var open = silent
        let deadline = Date().addingTimeInterval(Self.waitSeconds)
        repeat {
            try await Task.sleep(for: .milliseconds(100))
            open = open.filter { $0.receiveAvailable() != nil }
        } while open.count > connectionsMax && Date() < deadline
        // A moment more, so that a close beyond the needed ones would show too.
        try await Task.sleep(for: .seconds(Self.settleSeconds))
        open = open.filter { $0.receiveAvailable() != nil }
        #expect(open.count <= connectionsMax, "silent connections beyond the maximum stayed open")
        #expect(open.count >= connectionsMax - 1, "more connections were closed than needed to make room")
        // With every slot still held by silent connections, a client that sends its request at once
        // (a health probe) is served, again and again.
        for _ in 0..<3 {
            let reply = try await RawConnection(port: server.port).request("/health/live")
            #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
        }
        silent.forEach { $0.release() }
    }

    @Test func silentConnectionsHoldingEverySlotAreClosedByTheTimeoutsAndHealthAnswers() async throws {
        let connectionsMax = 4
        let server = try await ServerProcess(arguments: [
            "--connections-max", String(connectionsMax),
            "--header-read-timeout-seconds", "2", "--idle-timeout-seconds", "2",
        ])
        let silent = try (0..<(connectionsMax * 2)).map { _ in try RawConnection(port: server.port) }
        for connection in silent {
            let closed = try await connection.isClosedByServer(within: Self.waitSeconds)
            #expect(closed, "a silent connection stayed open")
        }
        let reply = try await RawConnection(port: server.port).request("/health/live")
        #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
    }

    @Test func theLimitsComeFromTheConfigurationFileAndBadValuesAreRefused() async throws {
        let directory = NSTemporaryDirectory() + "aerolith-connections-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/config.json"
        try #"{"idle_timeout_seconds": 2, "header_read_timeout_seconds": 600}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try await ServerProcess(arguments: ["--config", config])
        let connection = try RawConnection(port: server.port)
        let reply = try await connection.request("/health/live")
        #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
        let closed = try await connection.isClosedByServer(within: Self.waitSeconds)
        #expect(closed, "the file's idle_timeout_seconds was not applied")

        for (arguments, environment, setting) in [
            (["--connections-max", "0"], [:], "connections_max"),
            ([], ["AEROLITH_IDLE_TIMEOUT_SECONDS": "soon"], "idle_timeout_seconds"),
            (["--header-read-timeout-seconds", "0"], [:], "header_read_timeout_seconds"),
        ] {
            let run = try CLITests.aerolith(["serve", "--data-dir", directory + "/data"] + arguments, environment: environment)
            #expect(run.status == 2 && run.stderr.contains("invalid_configuration") && run.stderr.contains(setting), "\(run.stderr)")
        }
    }
}
