import AerolithExecution
import AerolithKernel
import AerolithPlatform
import AerolithStorage
import Logging

/// Everything `aerolith serve` needs to start. The CLI fills it from flags, environment and a
/// configuration file (see `AerolithCLI.ServeConfigurationLoader` for the precedence).
public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var durability: SQLiteDocumentStore.Durability
    /// The storage targets; nil: one SQLite target in `dataDirectory`.
    public var storage: StorageConfiguration?
    /// A file holding the platform admin key to register, instead of generating `admin.key`.
    public var adminKeyFile: String?
    public var logLevel: Logger.Level
    /// Extra directories to load plugins from, after `<data-dir>/plugins` and before
    /// `AEROLITH_PLUGIN_PATH` and the directory of the server binary.
    public var pluginDirectories: [String] = []
    /// Chain order overrides, each plugin's configuration, the isolation strategy.
    public var pluginSettings = PluginSettings()
    /// The exported function that prices a tenant's usage, as "plugin/function" (`i64(i64,i64)`).
    public var pricingFunction: String?
    /// Sign-in, sessions and signup.
    public var identity = IdentitySettings()
    /// What one query may spend (time, rows examined) before it is stopped with `query_timeout`.
    public var queryBudget = QueryBudget.standard
    /// The pool queries and plugin work run on: threads, per-tenant caps, queue bounds.
    public var blockingWork = BlockingWorkLimits.standard
    /// The bearer token `GET /metrics` requires; nil: /metrics is refused to everyone.
    public var metricsToken: String?
    /// Start on a data directory group or others can reach, with a warning, instead of refusing.
    public var allowInsecureDataDirectory = false
    /// Header-read and idle timeouts, and the most connections open at once.
    public var connections = ConnectionLimits()

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080
    public static let defaultDataDirectory = "./aerolith-data"

    public init(
        host: String = defaultHost, port: Int = defaultPort, dataDirectory: String = defaultDataDirectory,
        durability: SQLiteDocumentStore.Durability = .processCrash, adminKeyFile: String? = nil, logLevel: Logger.Level = .info
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.durability = durability
        self.adminKeyFile = adminKeyFile
        self.logLevel = logLevel
    }
}

extension ServerConfiguration {
    /// `storage`, or one SQLite target in the data directory.
    public var resolvedStorage: StorageConfiguration {
        storage ?? .single(.sqlite(directory: dataDirectory))
    }
}

public enum AerolithVersion {
    public static let current = "0.1.0"
}
