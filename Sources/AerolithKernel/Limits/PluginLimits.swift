/// The kernel's limits, each with its unit in its name.
public enum PluginLimits {
    /// How often the plugin directories are looked at for new or replaced files, in milliseconds.
    public static let rescanIntervalMilliseconds = 1_000
    /// Largest plugin file loaded, in bytes: the loader maps a private in-memory copy of it.
    public static let pluginFileSizeBytesMax = 512 * 1_048_576
    /// Longest wait for in-flight calls when a plugin is disabled or deactivated, in milliseconds.
    /// Calls still running after it keep the plugin's tenant state alive (it is not freed).
    public static let drainTimeMillisecondsMax = 10_000
    /// Calls slower than this are logged and counted (`AEROLITH_HOOK_CALL_TIME_MS_BUDGET`).
    public static let hookCallTimeMillisecondsBudget = 50
    /// Most label sets (series) one plugin's metric is exported with; later label sets are
    /// counted in one series whose values are all `other`.
    public static let metricLabelSetsPerMetricMax = 100
    /// Most events waiting per subscription; beyond it new events are dropped and counted.
    public static let eventQueueCountMax = 10_000
    /// Most payload bytes waiting per subscription; beyond it new events are dropped and counted.
    public static let eventQueueBytesMax = 16 * 1_048_576
    /// Event sequences reserved in the key-value store at a time, per subscription and tenant, so
    /// sequences survive a restart (after a crash, at most this many go unused: a gap, never a repeat).
    public static let eventSequenceBlockCount: UInt64 = 1_000
    /// Most events in one delivered batch (`AEROLITH_EVENT_BATCH_COUNT_MAX`).
    public static let eventBatchCountMax = 256
    /// Largest route response body or transformed document a plugin may write, in bytes.
    public static let outputBodyBytesMax = 2 * 1_048_576
    /// Largest claims object an authentication provider may write (`AEROLITH_CLAIMS_BYTES_MAX`).
    public static let claimsBytesMax = 16 * 1_024
    /// Deepest nesting accepted in a claims object (it is flat: one object of scalars).
    public static let claimsDepthMax = 4
    /// Longest content type a plugin route may answer with, in bytes.
    public static let contentTypeBytesMax = 128
    /// Capacity of the isolation result buffers, in bytes: database name and table prefix.
    public static let placementDatabaseBytesMax = 64
    public static let placementPrefixBytesMax = 48
    /// Largest configuration or tenant settings object handed to a plugin, in bytes.
    public static let settingsBytesMax = 65_536
}
