import AerolithJSON
import AerolithStorage

/// A subscription plan. Its limits arrive with the tiers and quotas.
public enum Plan: String, Sendable, CaseIterable {
    case starter
    case professional
    case enterprise
}

/// A customer of the service: the owner of collections, documents and API keys.
public struct Tenant: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case active, suspended }

    /// `tn_` followed by 20 lowercase base-32 characters.
    public let id: String
    /// Unique, chosen at creation and never changed (see `TenantSlug`). Empty only for a record
    /// written before slugs existed, until the platform backfills it when it opens.
    public let slug: String
    public let name: String
    public let plan: Plan
    public let status: Status
    public let createdAt: Timestamp

    /// Where the tenant's data lives: the shared database, tables prefixed with the tenant id.
    public let placement: Placement

    /// {"id","name","plan","status"}: how a tenant is described to plugins.
    public var summaryJSON: JSONObject {
        JSONObject(members: [
            .init(key: "id", value: .string(id)), .init(key: "name", value: .string(name)),
            .init(key: "plan", value: .string(plan.rawValue)), .init(key: "status", value: .string(status.rawValue)),
        ])
    }

    /// The built-in placement: the shared database, tables prefixed with the tenant id (a tenant
    /// id — `tn_` and base-32 characters, see `RandomID` — is always a valid table prefix).
    static func defaultPlacement(_ id: String) -> Placement {
        guard let placement = try? Placement(tablePrefix: id) else { preconditionFailure("tenant id \(id) is not a valid table prefix") }
        return placement
    }

    init(id: String, slug: String, name: String, plan: Plan, status: Status, createdAt: Timestamp, placement: Placement? = nil) {
        self.placement = placement ?? Self.defaultPlacement(id)
        self.id = id
        self.slug = slug
        self.name = name
        self.plan = plan
        self.status = status
        self.createdAt = createdAt
    }
}

/// Random identifiers for tenants and keys: a prefix and lowercase base-32 characters, which
/// are valid in table names, URLs and file names alike.
enum RandomID {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    static func make(prefix: String, length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<length).map { _ in alphabet[Int(generator.next() % 32)] }
        return prefix + String(decoding: characters, as: UTF8.self)
    }

    static func isValid(_ id: String, prefix: String, length: Int) -> Bool {
        guard id.hasPrefix(prefix) else { return false }
        let rest = id.utf8.dropFirst(prefix.utf8.count)
        return rest.count == length && rest.allSatisfy { alphabet.contains($0) }
    }
}
