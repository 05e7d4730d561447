import AerolithExecution
import AerolithKernel
import AerolithPlatform
import AerolithStorage
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import Prometheus

/// Assembles the server: storage, platform, middleware and routes.
///
/// Middleware order, outermost first: metrics → problem (request id, errors as problem+json)
/// → authentication → the route guard (permission, tenant, authorization hooks, usage; see
/// `RouteGuard`) → handler.
public enum AerolithServer {
    /// The process-wide Prometheus registry behind swift-metrics (bootstrapped once).
    static let metricsRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Opens the data directory and builds the application. `configureRouter` may add routes
    /// (benchmarks use it for a bare baseline route); `onListening` receives the bound port.
    public static func makeApplication(
        configuration: ServerConfiguration,
        logger: Logger,
        configureRouter: (@Sendable (Router<AerolithRequestContext>) -> Void)? = nil,
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) async throws -> some ApplicationProtocol {
        // Bootstrap metrics before anything creates a metric: one made earlier would be a no-op.
        _ = metricsRegistry
        try DataDirectory.prepare(configuration.dataDirectory, allowInsecure: configuration.allowInsecureDataDirectory, logger: logger)
        let storageConfiguration = configuration.resolvedStorage
        for case .sqlite(let directory) in storageConfiguration.targets.values where directory != configuration.dataDirectory {
            try DataDirectory.prepare(directory, allowInsecure: configuration.allowInsecureDataDirectory, logger: logger)
        }
        // One pool of threads for blocking work: queries on SQLite (keyed by placement) and plugin calls (keyed by tenant).
        let blockingWork = FairWorkerPool(name: "blocking", limits: configuration.blockingWork)
        let storage = try await StorageTargets.open(
            storageConfiguration, durability: configuration.durability, queryBudget: configuration.queryBudget,
            queryWork: blockingWork, logger: logger)
        let store = storage.defaultStore
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let plugins = PluginRegistry(
            directories: PluginDirectories(
                dataDirectory: configuration.dataDirectory, extra: configuration.pluginDirectories,
                environment: ProcessInfo.processInfo.environment,
                besideExecutable: URL(fileURLWithPath: executable).deletingLastPathComponent().path),
            keyValues: store.keyValues, settings: configuration.pluginSettings, logger: logger
        )
        ClusterSyncService.announcePluginChanges(plugins, to: store.coordination)
        plugins.scan()
        let platform = try await Platform(
            store: store, defaultTarget: storage.defaultName, placementStrategy: PluginPlacementStrategy(plugins: plugins),
            identity: configuration.identity, logger: logger)
        switch try await AdminKeyBootstrap.run(
            platform: platform, dataDirectory: configuration.dataDirectory,
            suppliedKeyFile: configuration.adminKeyFile)
        {
        case .created(let path):
            logger.notice(
                "created the platform admin key; it is in the file named here and is not shown again", metadata: ["path": "\(path)"])
        case .registeredSupplied(let revokedOthers):
            logger.notice(
                "the supplied key is now the platform admin key",
                metadata: [
                    "path": "\(configuration.adminKeyFile ?? "")", "revoked_admin_keys": "\(revokedOthers)",
                ])
        case .existing:
            break
        }
        plugins.startWatching()
        let services = ServerServices(
            platform: platform, plugins: plugins, logger: logger,
            blockingWork: blockingWork, pricingFunction: configuration.pricingFunction, metricsToken: configuration.metricsToken,
            storage: storage)
        let routes = allRoutes(services)
        // HEAD is derived from each GET route by the router: the GET handler runs, its body is dropped.
        let router = Router(context: AerolithRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware(routes: RouteIndex(routes)))
        router.add(middleware: AuthenticationMiddleware(platform: platform, plugins: plugins))
        let routeGuard = RouteGuard(services: services)
        for route in routes {
            router.on(RouterPath(route.path), method: route.method, use: route.guardedHandler(routeGuard))
        }
        PluginMountedRoutes.register(on: router, services, routeGuard: routeGuard)
        configureRouter?(router)
        let host = configuration.host
        return Application(
            router: router,
            server: httpServer(configuration.connections, logger: logger),
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "aerolith/\(AerolithVersion.current)"),
            services: [
                StorageShutdownService(storage: storage, plugins: plugins, logger: logger),
                SessionCleanupService(platform: platform, logger: logger),
                ClusterSyncService(platform: platform, plugins: plugins, coordination: store.coordination, logger: logger),
            ],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.notice(
                    "listening",
                    metadata: [
                        "address": "\(host):\(port)", "data_dir": "\(configuration.dataDirectory)",
                        "storage": "\(storageConfiguration.targets[storageConfiguration.defaultTarget].map { "\($0)" } ?? "")",
                    ])
                await onListening?(port)
            },
            logger: logger
        )
    }

    /// HTTP/1.1 with the connection limits: Hummingbird's idle timeout, and a `ConnectionGuard`
    /// per connection for the header-read deadline and the connection count. Raises the
    /// descriptor limit first so the count fits in it.
    static func httpServer(_ limits: ConnectionLimits, logger: Logger) -> HTTPServerBuilder {
        let descriptorLimit = FileDescriptorLimit.raiseToHardLimit()
        let connectionsMax = limits.connectionsMaxFitting(descriptorLimit: descriptorLimit)
        if connectionsMax < limits.connectionsMax {
            logger.warning(
                "connections_max lowered to fit the file-descriptor limit",
                metadata: [
                    "connections_max": "\(connectionsMax)", "descriptor_limit": "\(descriptorLimit)",
                ])
        }
        let counter = ConnectionCounter(connectionsMax: connectionsMax)
        let headerReadTimeoutSeconds = limits.headerReadTimeoutSeconds
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionGuard(counter: counter, headerReadTimeoutSeconds: headerReadTimeoutSeconds, logger: logger)
                ],
                idleTimeout: .seconds(Int64(limits.idleTimeoutSeconds))
            ))
    }

    /// Every route the server serves, in documentation order.
    static func allRoutes(_ services: ServerServices) -> [RouteDefinition] {
        let registry = metricsRegistry
        let openAPI = OpenAPICache()
        let routes =
            HealthRoutes.routes(services, registry: registry, openAPI: { openAPI.bytes })
            + TenantRoutes.routes(services)
            + AuthRoutes.routes(services)
            + UserRoutes.routes(services)
            + AccessRoutes.routes(services)
            + CollectionRoutes.routes(services)
            + DocumentRoutes.routes(services)
            + QueryRoutes.routes(services)
            + UsageRoutes.routes(services)
            + PluginRoutes.routes(services)
            + PluginControlRoutes.routes(services)
        openAPI.bytes = OpenAPIDocument.make(routes: routes, version: AerolithVersion.current)
        return routes
    }
}

/// Holds the serialised OpenAPI document, built once after the route table exists.
private final class OpenAPICache: @unchecked Sendable {
    // @unchecked: written once in `allRoutes` before the server starts, only read afterwards.
    var bytes: [UInt8] = []
}
