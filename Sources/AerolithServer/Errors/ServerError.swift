/// Errors raised by the HTTP layer itself (before storage or platform see a request).
public struct ServerError: Error, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        case routeNotFound = "route_not_found"
        case methodNotAllowed = "method_not_allowed"
        case bodyTooLarge = "body_too_large"
        case emptyBody = "empty_body"
        case unsupportedMediaType = "unsupported_media_type"
        case invalidHeader = "invalid_header"
        case invalidParameter = "invalid_parameter"
        case idMismatch = "id_mismatch"
        case internalError = "internal_error"
        /// Too much work of this kind is waiting (this tenant's, or the server's): try again
        /// after `Retry-After` seconds.
        case overloaded = "overloaded"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
