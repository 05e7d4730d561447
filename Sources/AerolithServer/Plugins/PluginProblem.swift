import AerolithKernel
import HTTPTypes

/// Problems raised by plugins' hooks, in the server's error vocabulary.
enum PluginProblem {
    /// A hook returned a non-OK status (or broke a rule of the ABI): 500, never treated as allow.
    static func failed(_ failure: HookFailure) -> Problem {
        Problem(
            status: .internalServerError, code: "plugin_failed",
            detail: "plugin \(failure.plugin) (hook \(failure.hook)) failed with status \(failure.status)"
                + (failure.message.isEmpty ? "" : ": \(failure.message)"))
    }

    /// The problem for a chain's refusal: `.denied` or `.failed` (`.allowed` is not one).
    static func refused(_ outcome: PluginRegistry.AuthorizeOutcome) -> Problem {
        switch outcome {
        case .allowed: Problem(status: .internalServerError, code: "plugin_failed", detail: "an allowed request was refused")
        case .denied(let plugin, let message): denied(plugin: plugin, message: message)
        case .failed(let failure): failed(failure)
        }
    }

    static func denied(plugin: String, message: String) -> Problem {
        Problem(status: .forbidden, code: "plugin_denied", detail: message.isEmpty ? "plugin \(plugin) denied the request" : message)
    }

    static func status(for code: PluginControlError.Code) -> HTTPResponse.Status {
        switch code {
        case .pluginNotFound, .functionNotFound: .notFound
        case .pluginDisabled: .conflict
        case .activationFailed, .reloadRefused: .unprocessableContent
        case .storageFailure: .internalServerError
        }
    }
}
