/// An error the CLI reports: a stable code, a message, and the process exit status.
struct CLIError: Error, CustomStringConvertible {
    enum Code: String {
        case invalidConfiguration = "invalid_configuration"
        case invalidArgument = "invalid_argument"
        case missingKey = "missing_key"
        case connectionFailed = "connection_failed"
        case invalidResponse = "invalid_response"
        case startupFailed = "startup_failed"
    }

    let code: String
    let message: String
    let exitCode: Int32

    init(_ code: Code, _ message: String) {
        self.code = code.rawValue
        self.message = message
        exitCode = code == .connectionFailed ? ExitStatus.connectionFailed : ExitStatus.usage
    }

    /// A problem the server answered with.
    init(serverCode: String, message: String, status: Int) {
        code = serverCode
        self.message = "\(message) (HTTP \(status))"
        exitCode = ExitStatus.serverRefused
    }

    var description: String { "error: \(code): \(message)" }
}

/// The CLI's exit statuses.
enum ExitStatus {
    /// The server refused the request (any 4xx/5xx problem).
    static let serverRefused: Int32 = 1
    /// Bad flags, arguments or configuration.
    static let usage: Int32 = 2
    /// The server could not be reached.
    static let connectionFailed: Int32 = 3
}
