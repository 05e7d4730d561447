import AerolithJSON
import AerolithStorage
import Foundation

/// One sign-in of a user: the family of refresh tokens issued from it, rotated on every use.
public struct Session: Sendable, Equatable {
    /// `ses_` + 20 base-32 characters; the access token's `sid`.
    public let id: String
    public let tenantID: String
    public let userID: String
    /// SHA-256 of the refresh token that may be used next.
    var refreshDigest: String
    /// SHA-256 of earlier refresh tokens: presenting one again revokes the session.
    var previousDigests: [String]
    public let createdAt: Timestamp
    public internal(set) var lastUsedAt: Timestamp
    /// The absolute end: no refresh extends past it.
    public let expiresAt: Timestamp
    public internal(set) var revokedAt: Timestamp?
    var revokedReason: String?
    /// The stored record's version this copy was read at (optimistic concurrency).
    var version: Int64 = 1

    static let idPrefix = "ses_"
    static let idRandomLength = 20

    public var isActive: Bool { revokedAt == nil }

    init(id: String, tenantID: String, userID: String, refreshDigest: String, createdAt: Timestamp, expiresAt: Timestamp) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.refreshDigest = refreshDigest
        previousDigests = []
        self.createdAt = createdAt
        lastUsedAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// What an access token resolved to, and when that stops holding.
struct ResolvedAccess: Sendable {
    let principal: Principal
    /// `Platform.identityGeneration` when it was resolved.
    let generation: UInt64
    let expiresAt: Date
}

/// What a successful sign-in or refresh hands out.
public struct IssuedTokens: Sendable {
    public let accessToken: String
    public let refreshToken: String
    public let expiresInSeconds: Int
    public let sessionID: String
    public let userID: String
    public let tenantID: String
}
