import CAerolithPluginABI

/// An error a hook or callback throws: becomes its status and message at the boundary. Any
/// other Swift error becomes AEROLITH_ERR_INTERNAL with its description. Nothing unwinds into
/// the host.
public struct PluginError: Error, Sendable {
    public enum Code: Int32, Sendable {
        case invalidArgument = 1
        case notFound = 2
        case limitExceeded = 3
        case unsupported = 4
        case abiMismatch = 5
        case invalidState = 6
        case unavailable = 7
        case configuration = 8
        case internalError = 9
    }

    public let status: Int32
    public let message: String

    public init(_ code: Code, _ message: String) {
        status = code.rawValue
        self.message = message
    }

    init(status: Int32, _ message: String) {
        self.status = status
        self.message = "\(message) (status \(status))"
    }
}
