/// Why a text is not accepted as JSON.
public struct JSONError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Not exactly one RFC 8259 value.
        case invalid = "invalid_json"
        /// Nested deeper than the parse's `JSONLimits.depthMax`.
        case tooDeep = "json_too_deep"
        /// Longer than the parse's `JSONLimits.sizeBytesMax`.
        case tooLarge = "json_too_large"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
