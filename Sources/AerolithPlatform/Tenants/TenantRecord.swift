import AerolithJSON
import AerolithStorage

/// A tenant as stored in `sys.tenants`; the document id is the tenant id.
///
/// Older records lack members added since: without `target` (before storage targets) the tenant
/// is on the default target; without `database` and `table_prefix` (before
/// placements were stored) the tenant has the built-in placement; without `slug` (before slugs)
/// it gets one when the platform opens.
struct TenantRecord: Codable, Equatable {
    var name: String
    var plan: String
    var status: String
    /// Milliseconds since the epoch.
    var createdAt: Int64
    /// The storage target; absent (records before targets): the deployment's default target.
    var target: String?
    var database: String?
    var tablePrefix: String?
    /// Never stored empty: the unique index would see every unset slug as one value.
    var slug: String?

    enum CodingKeys: String, CodingKey {
        case name, plan, status, target, database, slug
        case createdAt = "created_at"
        case tablePrefix = "table_prefix"
    }

    init(_ tenant: Tenant) {
        name = tenant.name
        plan = tenant.plan.rawValue
        status = tenant.status.rawValue
        createdAt = tenant.createdAt.milliseconds
        target = tenant.placement.target
        database = tenant.placement.database
        tablePrefix = tenant.placement.tablePrefix
        slug = tenant.slug.isEmpty ? nil : tenant.slug
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        plan = try container.decode(String.self, forKey: .plan)
        status = try container.decode(String.self, forKey: .status)
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        target = container.lenient(String.self, forKey: .target)
        database = container.lenient(String.self, forKey: .database)
        tablePrefix = container.lenient(String.self, forKey: .tablePrefix)
        slug = container.lenient(String.self, forKey: .slug)
    }
}

extension Tenant {
    var json: JSONObject {
        get throws(StorageError) { try RecordCoding.object(TenantRecord(self)) }
    }

    init?(document: Document) {
        guard let record = RecordCoding.decode(TenantRecord.self, from: document.body),
            let plan = Plan(rawValue: record.plan), let status = Status(rawValue: record.status)
        else { return nil }
        var placement: Placement?
        if let prefix = record.tablePrefix {
            placement = try? Placement(target: record.target, database: record.database ?? Placement.sharedDatabase, tablePrefix: prefix)
            if placement == nil { return nil }
        }
        self.init(
            id: document.id, slug: record.slug ?? "", name: record.name, plan: plan, status: status,
            createdAt: Timestamp(milliseconds: record.createdAt), placement: placement)
    }
}
