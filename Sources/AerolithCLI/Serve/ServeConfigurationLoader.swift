import AerolithJSON
import AerolithKernel
import AerolithPlatform
import AerolithServer
import AerolithStorage
import Foundation
import Logging

/// Resolves the server configuration from its sources, in this precedence (highest first):
///
/// 1. command-line flags (`--port 9000`)
/// 2. environment variables (`AEROLITH_PORT=9000`)
/// 3. the configuration file (`--config FILE` or `AEROLITH_CONFIG`), a JSON object
/// 4. built-in defaults
///
/// Every value is validated; a bad one is a `CLIError` naming its source.
struct ServeConfigurationLoader {
    struct Values {
        var host: String?
        var port: String?
        var dataDirectory: String?
        /// One storage URL (flag, environment, or a string in the file).
        var storage: String?
        /// The file's `storage` object of named targets (file only); a URL from a flag or the environment wins.
        var storageTargets: StorageConfiguration?
        var durability: String?
        var adminKeyFile: String?
        var logLevel: String?
        var pricingFunction: String?
        var signup: String?
        var queryTimeLimitMilliseconds: String?
        var queryRowsExaminedMax: String?
        var blockingThreads: String?
        var blockingRunningPerTenantMax: String?
        var blockingQueuedPerTenantMax: String?
        var blockingQueuedMax: String?
        var metricsToken: String?
        var allowInsecureDataDirectory: String?
        var headerReadTimeoutSeconds: String?
        var idleTimeoutSeconds: String?
        var connectionsMax: String?
        /// The file's `plugins` object (file only).
        var plugins = PluginSettings()
        /// The file's `identity` object (file only).
        var identity = IdentitySettings()
    }

    /// The file's keys and the environment variable names, by setting. (`nonisolated(unsafe)`:
    /// an immutable constant; key paths are just not marked Sendable.)
    nonisolated(unsafe) static let settings: [(file: String, environment: String, keyPath: WritableKeyPath<Values, String?>)] = [
        ("host", "AEROLITH_HOST", \.host),
        ("port", "AEROLITH_PORT", \.port),
        ("data_dir", "AEROLITH_DATA_DIR", \.dataDirectory),
        ("storage", "AEROLITH_STORAGE", \.storage),
        ("durability", "AEROLITH_DURABILITY", \.durability),
        ("admin_key_file", "AEROLITH_ADMIN_KEY_FILE", \.adminKeyFile),
        ("log_level", "AEROLITH_LOG_LEVEL", \.logLevel),
        ("pricing_function", "AEROLITH_PRICING_FUNCTION", \.pricingFunction),
        ("signup", "AEROLITH_SIGNUP", \.signup),
        ("query_time_limit_ms", "AEROLITH_QUERY_TIME_LIMIT_MS", \.queryTimeLimitMilliseconds),
        ("query_rows_examined_max", "AEROLITH_QUERY_ROWS_EXAMINED_MAX", \.queryRowsExaminedMax),
        ("blocking_threads", "AEROLITH_BLOCKING_THREADS", \.blockingThreads),
        ("blocking_running_per_tenant_max", "AEROLITH_BLOCKING_RUNNING_PER_TENANT_MAX", \.blockingRunningPerTenantMax),
        ("blocking_queued_per_tenant_max", "AEROLITH_BLOCKING_QUEUED_PER_TENANT_MAX", \.blockingQueuedPerTenantMax),
        ("blocking_queued_max", "AEROLITH_BLOCKING_QUEUED_MAX", \.blockingQueuedMax),
        ("metrics_token", "AEROLITH_METRICS_TOKEN", \.metricsToken),
        ("allow_insecure_data_dir", "AEROLITH_ALLOW_INSECURE_DATA_DIR", \.allowInsecureDataDirectory),
        ("header_read_timeout_seconds", "AEROLITH_HEADER_READ_TIMEOUT_SECONDS", \.headerReadTimeoutSeconds),
        ("idle_timeout_seconds", "AEROLITH_IDLE_TIMEOUT_SECONDS", \.idleTimeoutSeconds),
        ("connections_max", "AEROLITH_CONNECTIONS_MAX", \.connectionsMax),
    ]

    /// The settings that are whole numbers within a range, and where each goes. (`nonisolated(unsafe)`:
    /// as `settings`.)
    nonisolated(unsafe) static let integerSettings:
        [(file: String, value: KeyPath<Values, String?>, range: ClosedRange<Int>, keyPath: WritableKeyPath<ServerConfiguration, Int>)] = [
            ("query_time_limit_ms", \.queryTimeLimitMilliseconds, 1...countSettingMax, \.queryBudget.timeLimitMilliseconds),
            ("query_rows_examined_max", \.queryRowsExaminedMax, 1...countSettingMax, \.queryBudget.rowsExaminedMax),
            ("blocking_threads", \.blockingThreads, 1...BlockingWorkLimits.threadCountMax, \.blockingWork.threadCount),
            (
                "blocking_running_per_tenant_max", \.blockingRunningPerTenantMax, 1...BlockingWorkLimits.threadCountMax,
                \.blockingWork.runningPerKeyMax
            ),
            ("blocking_queued_per_tenant_max", \.blockingQueuedPerTenantMax, 1...countSettingMax, \.blockingWork.queuedPerKeyMax),
            ("blocking_queued_max", \.blockingQueuedMax, 1...countSettingMax, \.blockingWork.queuedTotalMax),
            (
                "header_read_timeout_seconds", \.headerReadTimeoutSeconds, ConnectionLimits.headerReadTimeoutSecondsRange,
                \.connections.headerReadTimeoutSeconds
            ),
            ("idle_timeout_seconds", \.idleTimeoutSeconds, ConnectionLimits.idleTimeoutSecondsRange, \.connections.idleTimeoutSeconds),
            ("connections_max", \.connectionsMax, ConnectionLimits.connectionsMaxRange, \.connections.connectionsMax),
        ]

    /// Largest value accepted for a count or a time setting.
    static let countSettingMax = 1_000_000_000

    /// How on/off settings may be spelled.
    static let switches = ["on": true, "true": true, "1": true, "off": false, "false": false, "0": false]

    static let configFileSizeBytesMax = 65_536
    /// The file is an object of strings and numbers, plus the `plugins` object, whose plugin
    /// configurations may nest.
    static let configFileDepthMax = 16

    static func load(flags: Values, configFile: String?, environment: [String: String]) throws -> ServerConfiguration {
        var merged = Values()
        if let path = configFile ?? environment["AEROLITH_CONFIG"] {
            merged = try fileValues(path)
        }
        for setting in settings {
            if let value = environment[setting.environment] { merged[keyPath: setting.keyPath] = value }
            if let value = flags[keyPath: setting.keyPath] { merged[keyPath: setting.keyPath] = value }
        }
        var configuration = ServerConfiguration()
        if let host = merged.host {
            guard !host.isEmpty, host.utf8.count <= 253, host.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw CLIError(.invalidConfiguration, "host \"\(host)\" is not a host name or address")
            }
            configuration.host = host
        }
        if let port = merged.port {
            guard let number = Int(port), (0...65_535).contains(number) else {
                throw CLIError(.invalidConfiguration, "port \"\(port)\" is not a number from 0 to 65535")
            }
            configuration.port = number
        }
        if let directory = merged.dataDirectory {
            guard !directory.isEmpty else { throw CLIError(.invalidConfiguration, "data_dir is empty") }
            configuration.dataDirectory = directory
        }
        if let url = merged.storage {
            configuration.storage = try StorageConfigurationLoader.single(url, source: "--storage, AEROLITH_STORAGE or the file")
        } else {
            configuration.storage = merged.storageTargets
        }
        if let durability = merged.durability {
            guard let value = SQLiteDocumentStore.Durability(rawValue: durability) else {
                throw CLIError(.invalidConfiguration, "durability \"\(durability)\" is not one of: process, power")
            }
            configuration.durability = value
        }
        configuration.adminKeyFile = merged.adminKeyFile
        configuration.pluginSettings = merged.plugins
        configuration.identity = merged.identity
        if let signup = merged.signup {
            guard let enabled = switches[signup] else {
                throw CLIError(.invalidConfiguration, "signup \"\(signup.prefix(20))\" is not on or off")
            }
            configuration.identity.signupEnabled = enabled
        }
        if let allow = merged.allowInsecureDataDirectory {
            guard let enabled = switches[allow] else {
                throw CLIError(.invalidConfiguration, "allow_insecure_data_dir \"\(allow.prefix(20))\" is not true or false")
            }
            configuration.allowInsecureDataDirectory = enabled
        }
        if let token = merged.metricsToken {
            if let problem = MetricsAccess.problem(withToken: token) { throw CLIError(.invalidConfiguration, "metrics_token: \(problem)") }
            configuration.metricsToken = token
        }
        if let function = merged.pricingFunction {
            guard function.split(separator: "/", omittingEmptySubsequences: false).count == 2 else {
                throw CLIError(.invalidConfiguration, "pricing_function \"\(function.prefix(80))\" is not <plugin>/<function>")
            }
            configuration.pricingFunction = function
        }
        for setting in integerSettings {
            guard let text = merged[keyPath: setting.value] else { continue }
            guard let number = Int(text), setting.range.contains(number) else {
                throw CLIError(
                    .invalidConfiguration,
                    "\(setting.file) \"\(text.prefix(20))\" is not a whole number from \(setting.range.lowerBound) to \(setting.range.upperBound)"
                )
            }
            configuration[keyPath: setting.keyPath] = number
        }
        guard configuration.blockingWork.runningPerKeyMax <= configuration.blockingWork.threadCount else {
            throw CLIError(
                .invalidConfiguration,
                "blocking_running_per_tenant_max (\(configuration.blockingWork.runningPerKeyMax)) is more than blocking_threads (\(configuration.blockingWork.threadCount)): one tenant could take every thread"
            )
        }
        if let level = merged.logLevel {
            guard let value = Logger.Level(rawValue: level) else {
                throw CLIError(
                    .invalidConfiguration,
                    "log_level \"\(level)\" is not one of: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.logLevel = value
        }
        return configuration
    }

    static func fileValues(_ path: String) throws -> Values {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.invalidConfiguration, "cannot read the configuration file \(path)")
        }
        guard data.count <= configFileSizeBytesMax else {
            throw CLIError(.invalidConfiguration, "the configuration file \(path) is larger than \(configFileSizeBytesMax) bytes")
        }
        let json: JSONValue
        do {
            json = try Array(data).withUnsafeBytes { bytes throws(JSONError) in
                try JSONParser.parse(bytes, limits: JSONLimits(depthMax: configFileDepthMax, sizeBytesMax: configFileSizeBytesMax))
            }
        } catch {
            throw CLIError(.invalidConfiguration, "the configuration file \(path) is not valid JSON: \(error)")
        }
        guard case .object(let object) = json else {
            throw CLIError(.invalidConfiguration, "the configuration file \(path) must hold a JSON object")
        }
        var values = Values()
        for member in object.members {
            if member.key == "plugins" {
                values.plugins = try pluginSettings(member.value, path: path)
                continue
            }
            if member.key == "storage", case .object = member.value {
                values.storageTargets = try StorageConfigurationLoader.targets(member.value, path: path)
                continue
            }
            if member.key == "identity" {
                values.identity = try IdentityConfiguration.settings(member.value, path: path)
                continue
            }
            guard let setting = settings.first(where: { $0.file == member.key }) else {
                throw CLIError(
                    .invalidConfiguration,
                    "unknown setting \"\(member.key)\" in \(path); known: \((settings.map(\.file) + ["plugins", "identity"]).joined(separator: ", "))"
                )
            }
            switch member.value {
            case .string(let text): values[keyPath: setting.keyPath] = text
            case .number(let number): values[keyPath: setting.keyPath] = number.text
            case .bool(let flag): values[keyPath: setting.keyPath] = flag ? "true" : "false"
            default: throw CLIError(.invalidConfiguration, "setting \"\(member.key)\" in \(path) must be a string, number or boolean")
            }
        }
        return values
    }

    /// `{"configuration": {"<plugin>": {...}}, "order": {"<hook kind>": ["plugin/hook", ...]},
    /// "isolation_strategy": "plugin/hook"}`.
    private static func pluginSettings(_ value: JSONValue, path: String) throws -> PluginSettings {
        func fail(_ problem: String) -> CLIError { CLIError(.invalidConfiguration, "plugins in \(path): \(problem)") }
        guard case .object(let object) = value else { throw fail("must be an object") }
        var settings = PluginSettings()
        for member in object.members {
            switch (member.key, member.value) {
            case ("configuration", .object(let plugins)):
                for plugin in plugins.members {
                    guard case .object = plugin.value else { throw fail("the configuration of \(plugin.key) must be an object") }
                    settings.configuration[plugin.key] = JSONWriter.bytes(plugin.value)
                }
            case ("order", .object(let kinds)):
                for kind in kinds.members {
                    guard let hookKind = HookKind(name: kind.key) else {
                        throw fail(
                            "unknown hook kind \"\(kind.key.prefix(40))\" in order; known: \(HookKind.allCases.map(\.name).joined(separator: ", "))"
                        )
                    }
                    guard case .array(let names) = kind.value, names.allSatisfy({ $0.stringValue?.contains("/") == true }) else {
                        throw fail("order.\(kind.key) must be an array of \"plugin/hook\" names")
                    }
                    settings.order[hookKind] = names.compactMap(\.stringValue)
                }
            case ("isolation_strategy", .string(let name)) where name.contains("/"):
                settings.isolationStrategy = name
            case ("metric_label_values", .object(let plugins)):
                for plugin in plugins.members {
                    guard case .array(let keys) = plugin.value, keys.allSatisfy({ $0.stringValue != nil }) else {
                        throw fail("metric_label_values.\(plugin.key.prefix(40)) must be an array of label keys")
                    }
                    settings.metricLabelValues[plugin.key] = Set(keys.compactMap(\.stringValue))
                }
            default:
                throw fail(
                    "unknown or malformed member \"\(member.key.prefix(40))\"; known: configuration (object), order (object), isolation_strategy (\"plugin/hook\"), metric_label_values (object)"
                )
            }
        }
        return settings
    }
}
