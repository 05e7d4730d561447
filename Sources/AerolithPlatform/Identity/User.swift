import AerolithJSON
import Foundation
import AerolithStorage

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

    var json: JSONObject {
        JSONObject(members: [
            .init(key: "user_id", value: .string(id)),
            .init(key: "tenant_id", value: .string(tenantID)),
            .init(key: "email", value: .string(email)),
            .init(key: "display_name", value: .string(displayName)),
            .init(key: "status", value: .string(status.rawValue)),
            .init(key: "roles", value: .array(roles.map(JSONValue.string))),
            .init(key: "password_hash", value: .string(passwordHash)),
            .init(key: "created_at", value: .integer(createdAt.milliseconds)),
            .init(key: "updated_at", value: .integer(updatedAt.milliseconds)),
            .init(key: "password_changed_at", value: .integer(passwordChangedAt.milliseconds)),
        ])
    }

    init(id: String, tenantID: String, email: String, displayName: String, status: Status, roles: [String], passwordHash: String,
         createdAt: Timestamp, updatedAt: Timestamp, passwordChangedAt: Timestamp) {
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

    init?(body: String) {
        guard case .object(let object)? = try? JSONParser.parse(body),
              let id = object["user_id"]?.stringValue, let tenantID = object["tenant_id"]?.stringValue,
              let email = object["email"]?.stringValue, let displayName = object["display_name"]?.stringValue,
              let status = object["status"]?.stringValue.flatMap(Status.init(rawValue:)),
              case .array(let roleValues)? = object["roles"], let passwordHash = object["password_hash"]?.stringValue,
              let createdAt = Timestamp(record: object["created_at"]), let updatedAt = Timestamp(record: object["updated_at"]),
              let changedAt = Timestamp(record: object["password_changed_at"]) else { return nil }
        self.init(id: id, tenantID: tenantID, email: email, displayName: displayName, status: status,
                  roles: roleValues.compactMap(\.stringValue), passwordHash: passwordHash,
                  createdAt: createdAt, updatedAt: updatedAt, passwordChangedAt: changedAt)
    }

    /// The sign-in form of an email address, or nil if it is not one.
    static func normalizedEmail(_ text: String) -> String? {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= IdentityLimits.emailLengthBytesMax, parts.count == 2, !parts[0].isEmpty,
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { return nil }
        return email
    }
}
