/// An error the CLI reports: a stable code, a message, and the process exit status.
struct CLIError: Error, CustomStringConvertible {
    enum Code: String {
        case invalidConfiguration = "invalid_configuration"
        case invalidArgument = "invalid_argument"
        case missingKey = "missing_key"
        case connectionFailed = "connection_failed"
        case invalidResponse = "invalid_response"
        case startupFailed = "startup_failed"
        /// A destructive command was not confirmed: no `--yes`, and no terminal to ask on.
        case confirmationRequired = "confirmation_required"
        /// The person answered no to a confirmation prompt.
        case notConfirmed = "not_confirmed"
        case unknownSubcommand = "unknown_subcommand"
    }

    let code: String
    let message: String
    let exitCode: Int32
    /// The HTTP status when the server refused; nil for the CLI's own errors.
    let httpStatus: Int?

    init(_ code: Code, _ message: String) {
        self.code = code.rawValue
        self.message = message
        exitCode = code == .connectionFailed ? ExitStatus.connectionFailed : ExitStatus.usage
        httpStatus = nil
    }

    /// An error another layer names with its own stable code (storage, migration, data directory).
    init(code: String, _ message: String, exitCode: Int32) {
        self.init(code: code, message: message, exitCode: exitCode, httpStatus: nil)
    }

    /// A problem the server answered with.
    init(serverCode: String, message: String, status: Int) {
        code = serverCode
        self.message = "\(message) (HTTP \(status))"
        exitCode = ExitStatus.serverRefused
        httpStatus = status
    }

    private init(code: String, message: String, exitCode: Int32, httpStatus: Int?) {
        self.code = code
        self.message = message
        self.exitCode = exitCode
        self.httpStatus = httpStatus
    }

    /// The same error with `hint` appended to its message.
    func adding(hint: String) -> CLIError {
        CLIError(code: code, message: message + "; " + hint, exitCode: exitCode, httpStatus: httpStatus)
    }

    var description: String { "error: \(code): \(message)" }
}

/// The CLI's exit statuses.
enum ExitStatus {
    /// The server refused the request (any 4xx/5xx problem).
    static let serverRefused: Int32 = 1
    /// `migrate-storage`: the target holds other data, or the copy does not verify.
    static let migrationRefused: Int32 = 1
    /// Bad flags, arguments or configuration, or a destructive command left unconfirmed.
    static let usage: Int32 = 2
    /// The server could not be reached.
    static let connectionFailed: Int32 = 3
    /// A command line that does not parse (ArgumentParser's own status, also for an unknown subcommand).
    static let commandLine: Int32 = 64
}
