import AsyncHTTPClient
import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Words a failure to reach the server for a person: what failed, at which URL (and where the
/// URL came from), and what to do — instead of the transport's own description.
enum ConnectionFailure {
    /// How deep the error's nested values are searched for the system error inside.
    static let searchDepthMax = 6

    static func message(_ error: any Error, url: String, urlSource: String, connectTimeoutSeconds: Int64, requestTimeoutSeconds: Int64)
        -> String
    {
        let target = "cannot reach the server at \(url) (the URL came from \(urlSource))"
        let pointElsewhere = "point --url or AEROLITH_URL at a running server"
        let address = URLComponents(string: url).map { "\($0.host ?? "?"):\($0.port ?? ($0.scheme == "https" ? 443 : 80))" } ?? url
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout:
                return
                    "\(target): no answer to connecting within \(connectTimeoutSeconds) s; check that the host is up and no firewall drops the port, or \(pointElsewhere)"
            case .readTimeout, .deadlineExceeded:
                return
                    "\(target): connected, but no answer within \(requestTimeoutSeconds) s; the server may be overloaded — try again, or check its log"
            case .remoteConnectionClosed:
                return
                    "\(target): the server closed the connection before answering; check that \(url) is an Aerolith server (and http/https matches it), or its log"
            case .invalidURL, .emptyHost, .emptyScheme:
                return "\(target): the URL is not usable (\(client)); give one like http://127.0.0.1:8080"
            default:
                break
            }
        }
        if let code = systemErrorCode(in: error, depth: 0) {
            let reason = String(cString: strerror(code)).lowercased()
            switch code {
            case ECONNREFUSED:
                return
                    "\(target): connection refused — nothing listens on \(address); start the server there (aerolith serve), or \(pointElsewhere)"
            case ETIMEDOUT:
                return "\(target): connecting to \(address) timed out; check that the host is up and the port open, or \(pointElsewhere)"
            case EHOSTUNREACH, ENETUNREACH:
                return "\(target): \(reason) on the way to \(address); check the network, or \(pointElsewhere)"
            case ECONNRESET, EPIPE:
                return "\(target): the connection to \(address) was reset; check that it is an Aerolith server (and http/https matches it)"
            default:
                return "\(target): \(reason) (connecting to \(address)); check the server is running there, or \(pointElsewhere)"
            }
        }
        if String(reflecting: type(of: error)).contains("NIOConnectionError") {
            return
                "\(target): the host name in the URL does not resolve, or none of its addresses answered; check the URL, or \(pointElsewhere)"
        }
        if String(reflecting: type(of: error)).contains("NIOSSL") || String(reflecting: type(of: error)).contains("BoringSSL") {
            return
                "\(target): the TLS handshake failed (\(error)); check that the server speaks https on this port and that its certificate is trusted"
        }
        return "\(target): \(error); check the server is running there, or \(pointElsewhere)"
    }

    /// The errno of the first `IOError` in `error` or in the values it holds (a connection
    /// error wraps one failure per address tried).
    private static func systemErrorCode(in value: Any, depth: Int) -> Int32? {
        if let io = value as? IOError { return io.errnoCode }
        guard depth < searchDepthMax else { return nil }
        for child in Mirror(reflecting: value).children {
            if let found = systemErrorCode(in: child.value, depth: depth + 1) { return found }
        }
        return nil
    }
}
