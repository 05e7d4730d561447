import AerolithJSON
import AerolithStorage
import Foundation

/// A person who signs in to one tenant. The same email may belong to users of two tenants.
public struct User: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case active, suspended }

    /// `usr_` + 20 base-32 characters.
    public let id: String
    public let tenantID: String
    /// Trimmed and lower-cased: the sign-in name, unique within the tenant.
    public let email: String
    public internal(set) var displayName: String
    public internal(set) var status: Status
    /// Role names: built-in or the tenant's own.
    public internal(set) var roles: [String]
    var passwordHash: String
    public let createdAt: Timestamp
    public internal(set) var updatedAt: Timestamp
    /// Sessions issued before this instant are no longer valid (set by password changes).
    public internal(set) var passwordChangedAt: Timestamp
    /// The stored record's version this copy was read at (optimistic concurrency).
    var version: Int64 = 1

    static let idPrefix = "usr_"
    static let idRandomLength = 20

    init(
        id: String, tenantID: String, email: String, displayName: String, status: Status, roles: [String], passwordHash: String,
        createdAt: Timestamp, updatedAt: Timestamp, passwordChangedAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.email = email
        self.displayName = displayName
        self.status = status
        self.roles = roles
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.passwordChangedAt = passwordChangedAt
    }

    /// The sign-in form of an email address, or nil if it is not one.
    static func normalizedEmail(_ text: String) -> String? {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= IdentityLimits.emailLengthBytesMax, parts.count == 2, !parts[0].isEmpty,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else { return nil }
        return email
    }
}
