/// Every limit the platform layer enforces, each with its unit in its name.
public enum PlatformLimits {
    /// Longest tenant display name, in bytes of UTF-8.
    public static let tenantNameLengthBytesMax = 128
    /// Longest API key name, in bytes of UTF-8.
    public static let keyNameLengthBytesMax = 128
    /// Most custom roles one tenant may define.
    public static let customRolesPerTenantMax = 200
    /// Most collections one API key may be limited to.
    public static let keyCollectionsMax = 100
    /// Most active (unrevoked) API keys one tenant may hold.
    public static let keysPerTenantMax = 100
    /// Shortest operator-supplied admin key, in bytes.
    public static let adminKeyLengthBytesMin = 24
    /// Longest operator-supplied admin key, in bytes.
    public static let adminKeyLengthBytesMax = 256
    /// Most tenants listed on one page.
    public static let tenantPageSizeMax = 1_000
}
