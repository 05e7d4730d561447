import AerolithExecution
import AerolithStorage

/// The defaults of the server's blocking-work pool (queries, query plans, plugin routes and
/// calls, plugin control), which `ServerConfiguration.blockingWork` may change.
public enum BlockingWorkLimits {
    /// Threads running blocking work. More than the cores, so one tenant at its cap leaves
    /// threads for the others; each tenant's share is bounded by `runningPerTenantMax`.
    public static let threadCount = 4
    /// Most threads one may configure: two reader connections always stay free for the reads
    /// served on the request threads (point gets), which never wait behind queries for one.
    public static let threadCountMax = StorageLimits.readerConnectionsMax - 2
    /// Most blocking jobs of one tenant running at once.
    public static let runningPerTenantMax = 2
    /// Most blocking jobs of one tenant waiting; past it the tenant gets 503 `overloaded`.
    public static let queuedPerTenantMax = 64
    /// Most blocking jobs waiting across all tenants; past it, 503 `overloaded`.
    public static let queuedMax = 1_024

    public static let standard = FairWorkerPool.Limits(
        threadCount: threadCount, runningPerKeyMax: runningPerTenantMax, queuedPerKeyMax: queuedPerTenantMax, queuedTotalMax: queuedMax)
}
