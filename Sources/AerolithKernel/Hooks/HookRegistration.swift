import AerolithPermissions

/// One hook a plugin registered, as the kernel accepted it.
public struct HookRegistration: Sendable, Equatable {
    public let kind: HookKind
    /// Unique within the plugin; operators write "<plugin>/<name>".
    public let name: String
    public let priority: Int32
    /// Dispatched for every tenant, active or not (`AEROLITH_HOOK_FLAG_ALL_TENANTS`).
    public let allTenants: Bool
    public let runBefore: [String]
    public let runAfter: [String]
    /// Events only: the initial subscription.
    public let eventMask: UInt64
    public let eventPayloadVersion: UInt32
    /// Routes only.
    public let routePrefix: String
    public let routePermission: Permission?
    /// The function (the union member matching `kind`) and its user data, as addresses in the
    /// plugin's image, which is never unmapped.
    let function: UInt
    let userData: UInt
}
