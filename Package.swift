// swift-tools-version:6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "aerolith",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aerolith", targets: ["aerolith"]),
        .executable(name: "aerolith-bench", targets: ["AerolithBenchmarks"]),
        .library(name: "AerolithStorage", targets: ["AerolithStorage"]),
        // First-party plugins: shared objects the server loads from beside its binary.
        .library(name: "AerolithPluginAudit", type: .dynamic, targets: ["AerolithPluginAudit"]),
        // A Swift-kit plugin the kernel tests load by path (not a first-party plugin: the server
        // only loads `libAerolithPlugin*` from beside its binary).
        .library(name: "AerolithKitFixture", type: .dynamic, targets: ["AerolithKitFixture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // Only the benchmark uses GRDB: the baseline the storage layer's C API path is measured against.
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // The PostgreSQL storage backend: an async, pooled client (`PostgresClient`).
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        // The server's OpenAPI document is built as typed values and checked by its validator.
        // Without the default trait (loading external references), which the server never needs.
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0", traits: []),
        // The plugin SDK (header module and Swift kit), used by first-party plugins as by anyone's.
        .package(path: "SDK"),
    ],
    targets: [
        // The system SQLite (libsqlite3-dev), reached through its C API.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),

        // JSON values, the strict parser, the writer, merge patch and hex: the one JSON of every layer. No dependencies.
        .target(name: "AerolithJSON", swiftSettings: strictSwift),
        // The permissions roles grant and routes (core and plugin) require. No dependencies.
        .target(name: "AerolithPermissions", swiftSettings: strictSwift),
        // Layer 1: documents in collections. Knows nothing of HTTP, tenants' credentials or plugins.
        .target(
            name: "AerolithStorage",
            dependencies: [
                "AerolithExecution",
                "AerolithJSON",
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Its ConnectionPoolError tells a pool that cannot connect (storage_unavailable) from a failed statement.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
            ],
            swiftSettings: strictSwift
        ),
        // Executors of the server's own: fair, bounded pools of threads for blocking work. No dependencies.
        .target(name: "AerolithExecution", swiftSettings: strictSwift),
        // The plugin kernel: loads plugin shared objects, owns hook chains, dispatches hooks. Knows no HTTP.
        .target(
            name: "AerolithKernel",
            dependencies: [
                "AerolithJSON", "AerolithPermissions", "AerolithStorage", "CAerolithPlugin", "CAerolithPrivateImage", "CFFI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift
        ),
        // memfd_create and file seals for the loader's private copies of plugin files: glibc
        // declares them only under _GNU_SOURCE, which the Swift Glibc module is not built with.
        .systemLibrary(name: "CAerolithPrivateImage", path: "Sources/CAerolithPrivateImage"),
        // The plugin ABI header (SDK/include/aerolith_plugin.h), as the kernel sees it.
        .systemLibrary(name: "CAerolithPlugin", path: "Sources/CAerolithPlugin"),
        // The system libffi (libffi-dev): calls plugins' exported functions by signature.
        .systemLibrary(name: "CFFI", path: "Sources/CFFI", pkgConfig: "libffi"),
        // Layer 2: tenants and API keys, persisted through the storage layer.
        .target(
            name: "AerolithPlatform",
            dependencies: [
                "AerolithExecution",
                "AerolithJSON",
                "AerolithPermissions",
                "AerolithStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // Layer 3: the HTTP API (Hummingbird 2) around the platform.
        .target(
            name: "AerolithServer",
            dependencies: [
                "AerolithExecution",
                "AerolithJSON",
                "AerolithKernel",
                "AerolithPermissions",
                "AerolithPlatform",
                "AerolithStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // The git commit a build was made from, written before every build by the plugin below.
        .target(name: "AerolithBuildInfo", swiftSettings: strictSwift, plugins: ["BuildInfo"]),
        .plugin(name: "BuildInfo", capability: .buildTool(), path: "BuildTools/BuildInfo"),
        // Layer 4: the `aerolith` command line: `serve` and the HTTP client commands.
        .target(
            name: "AerolithCLI",
            dependencies: [
                "AerolithBuildInfo",
                "AerolithExecution",
                "AerolithJSON",
                "AerolithKernel",
                "AerolithPlatform",
                "AerolithServer",
                "AerolithStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(name: "aerolith", dependencies: ["AerolithCLI"], swiftSettings: strictSwift),
        .executableTarget(
            name: "AerolithBenchmarks",
            dependencies: [
                "AerolithJSON", "AerolithKernel", "AerolithPlatform", "AerolithStorage", "AerolithServer", "CSQLite",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),

        // First-party plugins: built with the SDK only, never linked into the server.
        .target(
            name: "AerolithPluginAudit",
            dependencies: [.product(name: "AerolithPluginKit", package: "SDK"), .product(name: "Crypto", package: "swift-crypto")],
            path: "Plugins/Audit",
            exclude: ["exports.map"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/Plugins/Audit/exports.map"])]
        ),

        .target(
            name: "AerolithKitFixture",
            dependencies: [.product(name: "AerolithPluginKit", package: "SDK")],
            path: "Tests/KitFixture",
            exclude: ["exports.map"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/Tests/KitFixture/exports.map"])]
        ),

        .testTarget(name: "AerolithJSONTests", dependencies: ["AerolithJSON"], swiftSettings: strictSwift),
        .testTarget(name: "AerolithStorageTests", dependencies: ["AerolithJSON", "AerolithStorage"], swiftSettings: strictSwift),
        .testTarget(name: "AerolithExecutionTests", dependencies: ["AerolithExecution"], swiftSettings: strictSwift),
        .testTarget(name: "AerolithPlatformTests", dependencies: ["AerolithJSON", "AerolithPermissions", "AerolithPlatform", "AerolithStorage"], swiftSettings: strictSwift),
        // Fixtures/ holds C plugin sources the tests compile with the system compiler.
        .testTarget(
            name: "AerolithKernelTests", dependencies: ["AerolithKernel", "AerolithPermissions", "AerolithStorage", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"], swiftSettings: strictSwift
        ),
        .testTarget(
            name: "AerolithServerTests",
            dependencies: [
                "AerolithJSON",
                "AerolithPlatform",
                "AerolithServer",
                "AerolithStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
            ],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
