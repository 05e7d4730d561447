import AerolithJSON
import AerolithStorage

/// A user as stored in `sys.users`; the document id is the user id, also stored as `user_id`.
struct UserRecord: Codable, Equatable {
    var userID: String
    var tenantID: String
    var email: String
    var displayName: String
    var status: String
    /// Members that are not strings are dropped when read.
    var roles: [String]
    var passwordHash: String
    /// Milliseconds since the epoch, as are the other times.
    var createdAt: Int64
    var updatedAt: Int64
    var passwordChangedAt: Int64

    enum CodingKeys: String, CodingKey {
        case email, status, roles
        case userID = "user_id"
        case tenantID = "tenant_id"
        case displayName = "display_name"
        case passwordHash = "password_hash"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case passwordChangedAt = "password_changed_at"
    }

    init(_ user: User) {
        userID = user.id
        tenantID = user.tenantID
        email = user.email
        displayName = user.displayName
        status = user.status.rawValue
        roles = user.roles
        passwordHash = user.passwordHash
        createdAt = user.createdAt.milliseconds
        updatedAt = user.updatedAt.milliseconds
        passwordChangedAt = user.passwordChangedAt.milliseconds
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        userID = try container.decode(String.self, forKey: .userID)
        tenantID = try container.decode(String.self, forKey: .tenantID)
        email = try container.decode(String.self, forKey: .email)
        displayName = try container.decode(String.self, forKey: .displayName)
        status = try container.decode(String.self, forKey: .status)
        roles = try container.strings(forKey: .roles)
        passwordHash = try container.decode(String.self, forKey: .passwordHash)
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        updatedAt = try container.decode(Int64.self, forKey: .updatedAt)
        passwordChangedAt = try container.decode(Int64.self, forKey: .passwordChangedAt)
    }
}

extension User {
    var json: JSONObject {
        get throws(StorageError) { try RecordCoding.object(UserRecord(self)) }
    }

    init?(body: String) {
        guard let record = RecordCoding.decode(UserRecord.self, from: body), let status = Status(rawValue: record.status) else {
            return nil
        }
        self.init(
            id: record.userID, tenantID: record.tenantID, email: record.email, displayName: record.displayName, status: status,
            roles: record.roles, passwordHash: record.passwordHash, createdAt: Timestamp(milliseconds: record.createdAt),
            updatedAt: Timestamp(milliseconds: record.updatedAt), passwordChangedAt: Timestamp(milliseconds: record.passwordChangedAt))
    }
}
