import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Why the server cannot listen where it was told to; `code` is stable and printed at startup.
public struct ListenError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Another process listens on the address and port.
        case addressInUse = "address_in_use"
        /// The host does not resolve, or is not an address of this machine.
        case addressUnavailable = "address_unavailable"
        /// The port needs privileges this process lacks (below 1024).
        case addressForbidden = "address_forbidden"
    }

    public let code: Code
    public let message: String

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Checks, before anything is created, that the server can listen on its address: a socket is
/// bound there the way the server binds it (`SO_REUSEADDR`, the host's first resolved address)
/// and closed at once. A port taken in the instant between the check and the real bind still
/// fails the start; `listenError(from:)` words that failure the same way.
public enum ListenAddress {
    public static func check(host: String, port: Int) throws(ListenError) {
        // Port 0 takes any free port: it cannot be in use.
        guard port != 0 else { return }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &results)
        defer { if let results { freeaddrinfo(results) } }
        guard resolved == 0, let first = results else {
            throw ListenError(
                code: .addressUnavailable,
                message:
                    "cannot listen on \(host):\(port): the host \"\(host)\" does not resolve (\(String(cString: gai_strerror(resolved)))); give an address of this machine such as 127.0.0.1 or 0.0.0.0"
            )
        }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return } // No socket to try with: the real bind reports.
        defer { close(descriptor) }
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            if let error = error(errno: errno, host: host, port: port) { throw error }
            return
        }
    }

    /// The failure of the server's own bind, worded as `check` words it; nil for other errors.
    public static func listenError(from error: any Error, host: String, port: Int) -> ListenError? {
        guard let failure = error as? IOError else { return nil }
        return self.error(errno: failure.errnoCode, host: host, port: port)
    }

    static func error(errno code: Int32, host: String, port: Int) -> ListenError? {
        let address = "\(host):\(port)"
        switch code {
        case EADDRINUSE:
            return ListenError(
                code: .addressInUse,
                message:
                    "cannot listen on \(address): another process is already listening there (`ss -ltnp 'sport = :\(port)'` shows which); stop it, or choose another port"
            )
        case EACCES, EPERM:
            return ListenError(
                code: .addressForbidden,
                message:
                    "cannot listen on \(address): ports below 1024 need privileges this process lacks; choose a port of 1024 or more, or give the binary CAP_NET_BIND_SERVICE"
            )
        case EADDRNOTAVAIL:
            return ListenError(
                code: .addressUnavailable,
                message:
                    "cannot listen on \(address): \(host) is not an address of this machine; give one of its addresses, such as 127.0.0.1 or 0.0.0.0"
            )
        default:
            return nil
        }
    }
}
