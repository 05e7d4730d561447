import AerolithServer
import AerolithStorage
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Synchronization

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Aerolith server.",
        discussion: """
            Settings come from flags, then AEROLITH_* environment variables, then the JSON file named by \
            --config (or AEROLITH_CONFIG), then defaults. Stops gracefully on SIGINT or SIGTERM.
            """
    )

    @Option(
        help: "Directory holding the database and admin.key (env AEROLITH_DATA_DIR; default \(ServerConfiguration.defaultDataDirectory)).")
    var dataDir: String?

    @Option(
        help: """
            Where documents and the platform's records are stored: sqlite:DIRECTORY or \
            postgres://USER:PASSWORD@HOST:PORT/DATABASE (env AEROLITH_STORAGE; default sqlite:<data-dir>). \
            Several named targets: the file's "storage" object.
            """)
    var storage: String?

    @Option(help: "Address to listen on (env AEROLITH_HOST; default \(ServerConfiguration.defaultHost)).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env AEROLITH_PORT; default \(ServerConfiguration.defaultPort)).")
    var port: String?

    @Option(help: "JSON configuration file (env AEROLITH_CONFIG).")
    var config: String?

    @Option(
        help: "Acknowledged writes survive: 'process' (a crash of the server) or 'power' (power loss; slower). Env AEROLITH_DURABILITY.")
    var durability: String?

    @Option(help: "File holding the platform admin key to use instead of generating one (env AEROLITH_ADMIN_KEY_FILE).")
    var adminKeyFile: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (env AEROLITH_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(help: "Whether POST /v1/signup creates tenants: on or off (env AEROLITH_SIGNUP; default on).")
    var signup: String?

    @Option(
        help:
            "Longest a query may run before it is stopped with query_timeout, in ms (env AEROLITH_QUERY_TIME_LIMIT_MS; default \(StorageLimits.queryTimeLimitMillisecondsDefault))."
    )
    var queryTimeLimitMs: String?

    @Option(
        help:
            "Most rows a query may examine before it is stopped with query_timeout (env AEROLITH_QUERY_ROWS_EXAMINED_MAX; default \(StorageLimits.queryRowsExaminedMaxDefault))."
    )
    var queryRowsExaminedMax: String?
    @Option(help: "The bearer token GET /metrics requires, at least 24 characters (env AEROLITH_METRICS_TOKEN; none: /metrics is refused).")
    var metricsToken: String?

    @Flag(help: "Start on a data directory group or others can read or write, with a warning (env AEROLITH_ALLOW_INSECURE_DATA_DIR).")
    var allowInsecureDataDir = false
    @Option(
        help:
            "Seconds a new connection has to send its first request head (env AEROLITH_HEADER_READ_TIMEOUT_SECONDS; default \(ConnectionLimits.headerReadTimeoutSecondsDefault))."
    )
    var headerReadTimeoutSeconds: String?

    @Option(
        help:
            "Seconds an idle kept-alive connection stays open (env AEROLITH_IDLE_TIMEOUT_SECONDS; default \(ConnectionLimits.idleTimeoutSecondsDefault))."
    )
    var idleTimeoutSeconds: String?

    @Option(
        help:
            "Most connections open at once; more are closed at once (env AEROLITH_CONNECTIONS_MAX; default \(ConnectionLimits.connectionsMaxDefault))."
    )
    var connectionsMax: String?

    @Option(
        help:
            "A directory of plugins to load (repeatable); also <data-dir>/plugins, AEROLITH_PLUGIN_PATH (colon-separated) and the binary's directory."
    )
    var pluginDir: [String] = []

    func run() async throws {
        let flags = ServeConfigurationLoader.Values(
            host: host, port: port, dataDirectory: dataDir, storage: storage, durability: durability,
            adminKeyFile: adminKeyFile, logLevel: logLevel, signup: signup,
            queryTimeLimitMilliseconds: queryTimeLimitMs, queryRowsExaminedMax: queryRowsExaminedMax,
            metricsToken: metricsToken, allowInsecureDataDirectory: allowInsecureDataDir ? "true" : nil,
            headerReadTimeoutSeconds: headerReadTimeoutSeconds, idleTimeoutSeconds: idleTimeoutSeconds,
            connectionsMax: connectionsMax)
        var configuration: ServerConfiguration
        do {
            configuration = try ServeConfigurationLoader.load(
                flags: flags, configFile: config, environment: ProcessInfo.processInfo.environment)
            configuration.pluginDirectories = pluginDir
        } catch let error as CLIError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(error.exitCode)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in AerolithLogHandler(label: label, logLevel: level) }
        let logger = Logger(label: "aerolith")
        let environment = ProcessInfo.processInfo.environment
        // What this start creates, removed again if it fails before the server listens.
        let footprint = StartupFootprint(dataDirectory: configuration.dataDirectory)
        let listening = StartedFlag()
        do {
            // Before anything is created: a taken port must not leave a fresh data directory behind.
            try ListenAddress.check(host: configuration.host, port: configuration.port)
            let application = try await AerolithServer.makeApplication(
                configuration: configuration, logger: logger,
                onListening: { _ in listening.value.store(true, ordering: .releasing) })
            try await application.runService()
            logger.notice("stopped")
        } catch {
            let started = listening.value.load(ordering: .acquiring)
            if !started {
                for path in footprint.removeCreated() {
                    logger.debug("removed what the failed start created", metadata: ["path": "\(path)"])
                }
            }
            let message = startupMessage(error, configuration: configuration, started: started, flags: flags, environment: environment)
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// `<code>: <what failed, where, what to do> (<where the setting came from>)`.
    private func startupMessage(
        _ error: any Error, configuration: ServerConfiguration, started: Bool,
        flags: ServeConfigurationLoader.Values, environment: [String: String]
    ) -> String {
        if let listen = error as? ListenError
            ?? (started ? nil : ListenAddress.listenError(from: error, host: configuration.host, port: configuration.port))
        {
            return "\(listen) (\(ServeConfigurationLoader.listenOrigin(flags: flags, configFile: config, environment: environment)))"
        }
        if let directory = error as? DataDirectoryError {
            return
                "\(directory) (\(ServeConfigurationLoader.dataDirectoryOrigin(flags: flags, configFile: config, environment: environment)))"
        }
        return "\(started ? "server_failed" : "startup_failed"): \(error)"
    }
}

/// Set once the server listens: from then on a failure is no longer a failed start.
private final class StartedFlag: Sendable {
    let value = Atomic<Bool>(false)
}
