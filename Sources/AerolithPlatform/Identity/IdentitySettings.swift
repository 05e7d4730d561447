/// Fixed bounds of the identity layer, each with its unit in its name.
public enum IdentityLimits {
    public static let emailLengthBytesMax = 254
    public static let displayNameLengthBytesMax = 128
    public static let passwordLengthBytesMin = 10
    /// Longer passwords are refused rather than hashed (the KDF's input is bounded work).
    public static let passwordLengthBytesMax = 1_024
    public static let rolesPerUserMax = 16
    /// Earlier refresh tokens of a session remembered to recognise their reuse.
    public static let refreshTokenHistoryCountMax = 64
    /// Verified access tokens remembered so a token's signature is checked once, not per request.
    public static let verifiedTokenCacheCountMax = 10_000
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    public static let clockSkewSecondsMax = 30
    /// Random base-32 characters in a refresh token (260 bits), a token's `jti`, a signing key's `kid`.
    public static let refreshTokenRandomLength = 52
    public static let tokenIDRandomLength = 26
    public static let signingKeyIDRandomLength = 16
}

/// The operator's choices for sign-in and sessions (configuration file `identity`, or flags).
public struct IdentitySettings: Sendable, Equatable {
    /// How long an access token (JWT) is valid, in seconds.
    public var accessTokenLifetimeSeconds = 900
    /// A session not refreshed for this long ends, in seconds.
    public var sessionIdleTimeoutSeconds = 7 * 86_400
    /// A session ends this long after sign-in whatever its use, in seconds.
    public var sessionAbsoluteLifetimeSeconds = 30 * 86_400
    /// Signing in once more beyond this ends the user's oldest session.
    public var sessionsPerUserMax = 10
    /// How often ended sessions and retired signing keys are purged, in seconds.
    public var cleanupIntervalSeconds = 300
    /// Whether `POST /v1/signup` creates tenants.
    public var signupEnabled = true
    /// Failed sign-ins allowed per account, and per client address, within the window.
    public var loginFailuresPerAccountMax = 5
    public var loginFailuresPerAddressMax = 20
    public var loginThrottleWindowSeconds = 900
    /// Tenants one client address may sign up within the window.
    public var signupsPerAddressMax = 10
    public var passwordHashing = PasswordHasher.Parameters.standard

    public init() {}
}
