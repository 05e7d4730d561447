import CAerolithPlugin

/// Why a plugin management request (enable, disable, reload, activate, call) failed.
public struct PluginControlError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case pluginNotFound = "plugin_not_found"
        case functionNotFound = "function_not_found"
        case pluginDisabled = "plugin_disabled"
        case activationFailed = "activation_failed"
        case reloadRefused = "reload_refused"
        case storageFailure = "storage_failure"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    static func notFound(_ name: String) -> PluginControlError {
        PluginControlError(.pluginNotFound, "no loaded plugin is named \"\(name.prefix(Int(AEROLITH_PLUGIN_NAME_BYTES_MAX)))\"")
    }
}
