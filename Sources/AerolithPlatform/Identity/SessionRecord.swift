import AerolithJSON
import AerolithStorage

/// A session as stored in `sys.sessions`; the document id is the session id, also stored as
/// `session_id`.
struct SessionRecord: Codable, Equatable {
    var sessionID: String
    var tenantID: String
    var userID: String
    var refreshDigest: String
    /// Members that are not strings are dropped when read.
    var previousDigests: [String]
    /// Milliseconds since the epoch, as are the other times.
    var createdAt: Int64
    var lastUsedAt: Int64
    var expiresAt: Int64
    /// Always written (the `by_user` index finds a user's active sessions by it); when read,
    /// `revoked_at` decides.
    var active: Bool?
    var revokedAt: Int64?
    var revokedReason: String?

    enum CodingKeys: String, CodingKey {
        case active
        case sessionID = "session_id"
        case tenantID = "tenant_id"
        case userID = "user_id"
        case refreshDigest = "refresh_digest"
        case previousDigests = "previous_digests"
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
        case revokedReason = "revoked_reason"
    }

    init(_ session: Session) {
        sessionID = session.id
        tenantID = session.tenantID
        userID = session.userID
        refreshDigest = session.refreshDigest
        previousDigests = session.previousDigests
        createdAt = session.createdAt.milliseconds
        lastUsedAt = session.lastUsedAt.milliseconds
        expiresAt = session.expiresAt.milliseconds
        active = session.revokedAt == nil
        revokedAt = session.revokedAt?.milliseconds
        revokedReason = session.revokedReason
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sessionID = try container.decode(String.self, forKey: .sessionID)
        tenantID = try container.decode(String.self, forKey: .tenantID)
        userID = try container.decode(String.self, forKey: .userID)
        refreshDigest = try container.decode(String.self, forKey: .refreshDigest)
        previousDigests = try container.strings(forKey: .previousDigests)
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        lastUsedAt = try container.decode(Int64.self, forKey: .lastUsedAt)
        expiresAt = try container.decode(Int64.self, forKey: .expiresAt)
        active = container.lenient(Bool.self, forKey: .active)
        revokedAt = container.lenient(Int64.self, forKey: .revokedAt)
        revokedReason = container.lenient(String.self, forKey: .revokedReason)
    }
}

extension Session {
    var json: JSONObject {
        get throws(StorageError) { try RecordCoding.object(SessionRecord(self)) }
    }

    init?(body: String) {
        guard let record = RecordCoding.decode(SessionRecord.self, from: body) else { return nil }
        self.init(
            id: record.sessionID, tenantID: record.tenantID, userID: record.userID, refreshDigest: record.refreshDigest,
            createdAt: Timestamp(milliseconds: record.createdAt), expiresAt: Timestamp(milliseconds: record.expiresAt))
        previousDigests = record.previousDigests
        lastUsedAt = Timestamp(milliseconds: record.lastUsedAt)
        revokedAt = record.revokedAt.map(Timestamp.init(milliseconds:))
        revokedReason = record.revokedReason
    }
}
