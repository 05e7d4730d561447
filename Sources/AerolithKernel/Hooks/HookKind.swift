import CAerolithPlugin

/// What a hook registration hooks into (`AEROLITH_HOOK_*`).
public enum HookKind: UInt32, Sendable, CaseIterable, Comparable {
    case authorize = 1
    case documentBeforeWrite = 2
    case documentAfterWrite = 3
    case events = 4
    case authenticate = 5
    case isolation = 6
    case route = 7

    /// The name used in listings and in the operator's order overrides.
    public var name: String {
        switch self {
        case .authorize: "authorize"
        case .documentBeforeWrite: "document_before_write"
        case .documentAfterWrite: "document_after_write"
        case .events: "events"
        case .authenticate: "authenticate"
        case .isolation: "isolation"
        case .route: "route"
        }
    }

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    /// Dispatched only for tenants where the plugin is active (unless the registration asks
    /// for all tenants); the others are process-wide.
    public var isTenantScoped: Bool { self != .authenticate && self != .isolation }

    var bit: UInt64 { UInt64(1) << UInt64(rawValue) }

    public static func < (lhs: HookKind, rhs: HookKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Event kinds (`AEROLITH_EVENT_*` bits).
public enum EventKind: UInt64, Sendable, CaseIterable {
    case usage = 1
    case tenant = 2
    case document = 4

    /// The highest payload version this host publishes for every kind.
    public static let payloadVersionCurrent: UInt32 = 1
    static let allBits: UInt64 = allCases.reduce(0) { $0 | $1.rawValue }
}
