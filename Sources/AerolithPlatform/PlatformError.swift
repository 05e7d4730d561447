import Foundation

/// The one error type of the platform layer, with stable machine-readable codes.
public struct PlatformError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case invalidTenantName = "invalid_tenant_name"
        /// A tenant slug outside the grammar, or a reserved word (see `TenantSlug`).
        case invalidSlug = "invalid_slug"
        /// Another tenant has this slug.
        case slugTaken = "slug_taken"
        case invalidPlan = "invalid_plan"
        case invalidRole = "invalid_role"
        case invalidKeyName = "invalid_key_name"
        case invalidAdminKey = "invalid_admin_key"
        case tenantNotFound = "tenant_not_found"
        case keyNotFound = "key_not_found"
        case keyLimitReached = "key_limit_reached"
        /// No credential, or one that is malformed, unknown or revoked.
        case unauthenticated = "unauthenticated"
        /// A valid credential without the permission the route needs.
        case forbidden = "forbidden"
        case tenantSuspended = "tenant_suspended"
        case invalidEmail = "invalid_email"
        case invalidPassword = "invalid_password"
        case invalidDisplayName = "invalid_display_name"
        case invalidStatus = "invalid_status"
        case invalidPermission = "invalid_permission"
        /// A key's `collections` is not a list of collection names.
        case invalidKeyScope = "invalid_key_scope"
        case roleExists = "role_exists"
        case roleNotFound = "role_not_found"
        /// The change would leave the tenant without an active owner.
        case lastOwner = "last_owner"
        case roleLimitReached = "role_limit_reached"
        case roleInUse = "role_in_use"
        /// The record changed while this request worked on it; retry.
        case concurrentChange = "concurrent_change"
        case emailTaken = "email_taken"
        case userNotFound = "user_not_found"
        case userSuspended = "user_suspended"
        /// Wrong tenant, email or password (never saying which).
        case invalidCredentials = "invalid_credentials"
        case tokenExpired = "token_expired"
        /// The session ended: signed out, revoked, timed out, or its password changed.
        case sessionEnded = "session_ended"
        /// A refresh token was used twice; its whole session is now revoked.
        case refreshTokenReused = "refresh_token_reused"
        case sessionNotFound = "session_not_found"
        case signupDisabled = "signup_disabled"
        case tooManyAttempts = "too_many_attempts"
        /// The route is for signed-in users, not API keys.
        case userRequired = "user_required"
    }

    public let code: Code
    public let message: String
    /// For `too_many_attempts`: when to try again, in seconds.
    public let retryAfterSeconds: Int?

    public init(_ code: Code, _ message: String, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Validates a human-facing display name: non-empty after trimming, bounded, no control
/// characters.
func validDisplayName(_ name: String, lengthBytesMax: Int) -> Bool {
    let trimmed = name.trimmingCharacters(in: .whitespaces)
    return !trimmed.isEmpty && name.utf8.count <= lengthBytesMax
        && !name.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }
}
