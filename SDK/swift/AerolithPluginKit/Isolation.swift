import CAerolithPluginABI

/// What an isolation strategy is asked (`aerolith_isolation_request`). See the header for when
/// the host calls each operation; this host version never calls `remove`.
public struct IsolationRequest: Sendable {
    public enum Operation: UInt32, Sendable {
        /// A tenant is being created: choose (and prepare) its placement.
        case provision = 1
        /// The host read the tenant's record: answer what `provision` answered.
        case locate = 2
        /// Reserved for tenant deletion: release what `provision` prepared.
        case remove = 3
    }

    public let operation: Operation
    /// `{"id","name","plan","status"}` of the tenant.
    public let tenantJSON: String
    /// For `remove`: the placement being removed; empty otherwise.
    public let database: String
    public let tablePrefix: String
}

/// Where a tenant's data lives: a database and a table prefix ([a-z][a-z0-9_]*, at most 48
/// bytes). This host version keeps every tenant in its shared database, `main`.
public struct Placement: Sendable, Equatable {
    public static let sharedDatabase = "main"

    public var database: String
    public var tablePrefix: String

    public init(database: String = Placement.sharedDatabase, tablePrefix: String) {
        self.database = database
        self.tablePrefix = tablePrefix
    }
}
