import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a test server, for what an HTTP client will not do: send a header a
/// byte at a time, hold a connection open without a word, see when the server closes it.
final class RawConnection: @unchecked Sendable {
    // @unchecked: each connection is used by one test, from one task at a time.
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        // A throw from here on runs deinit, which closes the descriptor.
        guard connected else { throw TestFailure("connect failed: errno \(errno)") }
    }

    private var isOpen = true

    deinit { release() }

    /// Closes this end of the connection.
    func release() {
        guard isOpen else { return }
        isOpen = false
        close(descriptor)
    }

    /// Sends `text`; false if the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) == bytes.count }
    }

    /// What has arrived, without waiting: the bytes, or nil once the server has closed the
    /// connection and everything it sent has been read.
    func receiveAvailable() -> [UInt8]? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            var poll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 0) > 0 else { return received }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return received.isEmpty ? nil : received }
            received += buffer[0..<count]
        }
    }

    /// Whether the server closes the connection within `seconds`, reading (and dropping) what it
    /// sends meanwhile. `seconds` is a bound for a test that would otherwise hang, far above the
    /// configured timeout being checked.
    func isClosedByServer(within seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            // Looked at once more after the deadline: a test task kept waiting past it by a busy
            // machine still sees what happened meanwhile.
            let expired = Date() >= deadline
            if receiveAvailable() == nil { return true }
            if expired { return false }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sends a whole request and waits for the start of its response.
    func request(_ path: String, within seconds: Double = 10) async throws -> String {
        guard send("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n") else { throw TestFailure("the server closed the connection") }
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let expired = Date() >= deadline // as in isClosedByServer: one look after the deadline
            guard let bytes = receiveAvailable() else {
                throw TestFailure(
                    "the server closed the connection without answering \(path); got \(String(decoding: received, as: UTF8.self))")
            }
            received += bytes
            if let text = String(bytes: received, encoding: .utf8), text.contains("\r\n\r\n") { return text }
            if expired { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("no response to \(path); got \(String(decoding: received, as: UTF8.self))")
    }
}
