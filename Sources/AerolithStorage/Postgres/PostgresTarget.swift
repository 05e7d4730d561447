import Foundation
import PostgresNIO

/// Connection limits of one PostgreSQL target, each a named value with its unit.
public struct PostgresPoolLimits: Sendable, Equatable {
    /// Most connections the store's pool opens to the server.
    public var connectionsMax: Int
    /// Longest wait for a TCP connection to the server (and for a pool with no working connection
    /// to give up on a request), in milliseconds.
    public var connectTimeoutMilliseconds: Int

    public init(
        connectionsMax: Int = PostgresPoolLimits.connectionsMaxDefault,
        connectTimeoutMilliseconds: Int = PostgresPoolLimits.connectTimeoutMillisecondsDefault
    ) {
        precondition(connectionsMax >= 1 && connectTimeoutMilliseconds >= 1)
        self.connectionsMax = connectionsMax
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
    }

    public static let connectionsMaxDefault = 16
    public static let connectionsMaxRange = 1...1_000
    public static let connectTimeoutMillisecondsDefault = 10_000
    public static let connectTimeoutMillisecondsRange = 1...600_000
    public static let standard = PostgresPoolLimits()
}

/// A parsed `postgres://user:password@host:port/database?sslmode=disable|prefer|require` URL,
/// optionally with the pool's limits (`connections_max=16`, `connect_timeout_ms=10000`) and the
/// streaming replicas reads may use (`replicas=host:port,host:port`, `replica_lag_max_ms=1000`).
struct PostgresTarget: Sendable, CustomStringConvertible {
    enum SSLMode: String, Sendable { case disable, prefer, require }

    /// Every server the URL names, in order; more than one for a primary and its standbys.
    let hosts: [PostgresHost]
    /// `target_session_attrs=read-write` (or `primary`): only a server that is not in recovery is used.
    let requiresPrimary: Bool
    var host: String { hosts[0].host }
    var port: Int { hosts[0].port }
    let username: String
    let password: String?
    let database: String
    let sslMode: SSLMode
    /// The pool limits the URL names (`connections_max`, `connect_timeout_ms`); nil: the caller's.
    let pool: PostgresPoolLimits?
    /// Streaming replicas of the primary that document reads may go to (same role, password and
    /// database); empty: every read goes to the primary.
    let replicas: [PostgresHost]
    /// The most a replica may be behind the primary and still serve reads, in milliseconds.
    let replicaLagMaxMilliseconds: Int
    /// `statement_timeout_ms`: this target's query time limit, in milliseconds, in place of the
    /// deployment's (`query_time_limit_ms`); nil: the deployment's.
    let statementTimeoutMilliseconds: Int?

    static let portDefault = 5432

    init(url: String) throws(StorageError) {
        let invalid = StorageError(
            .storageFailure,
            "invalid PostgreSQL URL: use postgres://user:password@host:port[,host:port…]/database?sslmode=disable|prefer|require")
        let (singleHostURL, listed) = try PostgresHosts.split(url, defaultPort: Self.portDefault)
        guard let components = URLComponents(string: singleHostURL), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty, let username = components.user, !username.isEmpty
        else { throw invalid }
        hosts = listed.count > 1 ? listed : [PostgresHost(host: host, port: components.port ?? Self.portDefault)]
        var requiresPrimary = false
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? self.username : path
        var mode = SSLMode.prefer
        var connectionsMax: Int?
        var connectTimeoutMilliseconds: Int?
        var replicas: [PostgresHost] = []
        var replicaLagMaxMilliseconds: Int?
        var statementTimeoutMilliseconds: Int?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let parsed = SSLMode(rawValue: value) else {
                    throw StorageError(
                        .invalidStorageConfiguration, "sslmode must be disable, prefer or require, not \"\(value.prefix(40))\"")
                }
                mode = parsed
            case "target_session_attrs":
                guard ["any", "read-write", "primary"].contains(value) else {
                    throw StorageError(
                        .invalidStorageConfiguration, "target_session_attrs must be any, read-write or primary, not \"\(value.prefix(40))\""
                    )
                }
                requiresPrimary = value != "any"
            case "connections_max":
                connectionsMax = try Self.wholeNumber(item.name, value, in: PostgresPoolLimits.connectionsMaxRange)
            case "connect_timeout_ms":
                connectTimeoutMilliseconds = try Self.wholeNumber(item.name, value, in: PostgresPoolLimits.connectTimeoutMillisecondsRange)
            case "statement_timeout_ms":
                statementTimeoutMilliseconds = try Self.wholeNumber(item.name, value, in: StorageLimits.queryTimeLimitMillisecondsRange)
            case "replicas":
                replicas = try PostgresHosts.parseList(Substring(value), defaultPort: Self.portDefault)
            case "replica_lag_max_ms":
                replicaLagMaxMilliseconds = try Self.wholeNumber(item.name, value, in: PostgresReplicas.lagMaxMillisecondsRange)
            default:
                throw StorageError(
                    .invalidStorageConfiguration,
                    "unsupported PostgreSQL URL parameter \"\(item.name.prefix(40))\"; known: sslmode, target_session_attrs, connections_max, connect_timeout_ms, statement_timeout_ms, replicas, replica_lag_max_ms"
                )
            }
        }
        sslMode = mode
        pool =
            connectionsMax == nil && connectTimeoutMilliseconds == nil
            ? nil
            : PostgresPoolLimits(
                connectionsMax: connectionsMax ?? PostgresPoolLimits.connectionsMaxDefault,
                connectTimeoutMilliseconds: connectTimeoutMilliseconds ?? PostgresPoolLimits.connectTimeoutMillisecondsDefault)
        self.requiresPrimary = requiresPrimary
        if replicaLagMaxMilliseconds != nil && replicas.isEmpty {
            throw StorageError(.invalidStorageConfiguration, "replica_lag_max_ms applies to replicas: name them with replicas=host:port,…")
        }
        let primaryHosts = hosts
        if let shared = replicas.first(where: { primaryHosts.contains($0) }) {
            throw StorageError(.invalidStorageConfiguration, "\(shared) is named as a primary host and as a replica")
        }
        self.replicas = replicas
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.replicaLagMaxMilliseconds = replicaLagMaxMilliseconds ?? PostgresReplicas.lagMaxMillisecondsDefault
    }

    /// A parameter's value as a whole number within `range`.
    private static func wholeNumber(_ name: String, _ value: String, in range: ClosedRange<Int>) throws(StorageError) -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw StorageError(.invalidStorageConfiguration, "\(name) must be a whole number in \(range)")
        }
        return number
    }

    /// Where the store connects, for messages: never the password.
    var description: String { hosts.map(\.description).joined(separator: ",") + "/\(database)" }

    /// The pool's configuration for one of the hosts.
    func clientConfiguration(pool: PostgresPoolLimits, queryBudget: QueryBudget, on server: PostgresHost) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch sslMode {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: server.host, port: server.port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = pool.connectionsMax
        configuration.options.connectTimeout = .milliseconds(pool.connectTimeoutMilliseconds)
        configuration.options.additionalStartupParameters = Self.sessionParameters(queryBudget)
        return configuration
    }

    /// Runs `body` on one connection of its own, outside any pool, closed afterwards; every error
    /// is mapped to a `StorageError` naming this target.
    func withSingleConnection<T: Sendable>(
        pool: PostgresPoolLimits, logger: Logger, on server: PostgresHost? = nil, _ body: (PostgresConnection) async throws -> T
    ) async throws(StorageError) -> T {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try connectionConfiguration(pool: pool, on: server ?? hosts[0]), id: 0, logger: logger)
            do {
                let result = try await body(connection)
                try? await connection.close()
                return result
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw PostgresErrors.map(error, target: "\(self)")
        }
    }

    func connectionConfiguration(pool: PostgresPoolLimits, on server: PostgresHost) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch sslMode {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: server.host, port: server.port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .milliseconds(Int64(pool.connectTimeoutMilliseconds))
        // Setup statements (schema, secret) are not queries: no budget.
        configuration.options.additionalStartupParameters = [("TimeZone", "UTC"), ("application_name", "aerolith")]
        return configuration
    }

    /// Every session of the store: the query budget's time limit as `statement_timeout`, UTC,
    /// and a name in `pg_stat_activity`.
    private static func sessionParameters(_ budget: QueryBudget) -> [(String, String)] {
        [
            ("statement_timeout", "\(budget.timeLimitMilliseconds)"), ("TimeZone", "UTC"),
            ("application_name", "aerolith"),
        ]
    }
}
