import AerolithKernel
import AerolithServer
import AerolithStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Synchronization

/// The per-request cost of hook dispatch: a chain of five no-op authorize hooks (a C plugin
/// built here with cc), against the same number of direct C function-pointer calls, and
/// against a document get without plugins — at the storage level, and through the whole server
/// stack with the plugin active and not active for the tenant.
enum HookDispatchBenchmark {
    static let iterations = 200_000
    static let rounds = 5
    static let chainLength = 5
    static let targetAddedFraction = 0.01

    static let source = """
        #include "aerolith_plugin.h"
        AEROLITH_EXPORT aerolith_status aerolith_bench_noop(void *u, const aerolith_call *c, const aerolith_authorize_request *r,
                                                            aerolith_authorize_result *o);
        AEROLITH_EXPORT aerolith_status aerolith_bench_noop(void *u, const aerolith_call *c, const aerolith_authorize_request *r,
                                                            aerolith_authorize_result *o) {
            (void)u; (void)c; (void)r; (void)o; return AEROLITH_OK;
        }
        #define HOOK(v, n) static const aerolith_hook_registration v = { .struct_size = sizeof(aerolith_hook_registration), \\
            .kind = AEROLITH_HOOK_AUTHORIZE, .name = AEROLITH_SLICE_LITERAL(n), .function = { .authorize = aerolith_bench_noop } };
        HOOK(h1, "one") HOOK(h2, "two") HOOK(h3, "three") HOOK(h4, "four") HOOK(h5, "five")
        static const aerolith_hook_registration *const hooks[] = { &h1, &h2, &h3, &h4, &h5 };
        static const aerolith_plugin_descriptor descriptor = {
            .struct_size = sizeof(aerolith_plugin_descriptor), .abi = { AEROLITH_ABI_VERSION_MAJOR, AEROLITH_ABI_VERSION_MINOR },
            .layout = AEROLITH_LAYOUT_INIT, .flags = AEROLITH_PLUGIN_REENTRANT, .name = AEROLITH_SLICE_LITERAL("noop"),
            .version = AEROLITH_SLICE_LITERAL("1.0.0"), .hooks = hooks, .hook_count = 5,
        };
        AEROLITH_EXPORT aerolith_status aerolith_plugin_init(const aerolith_host_init *host, const aerolith_plugin_descriptor **out) {
            (void)host; *out = &descriptor; return AEROLITH_OK;
        }
        """

    /// The SDK header, from this source file's place in the repository.
    static let include = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SDK/include").path

    static func buildPlugin(into directory: String) throws -> String {
        let sourcePath = directory + "/noop.c"
        let output = directory + "/noop.so"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        cc.arguments = ["-shared", "-fPIC", "-O2", "-std=c11", "-I", include, "-o", output, sourcePath]
        try cc.run()
        cc.waitUntilExit()
        guard cc.terminationStatus == 0 else { throw BenchmarkError("cc failed to build the no-op plugin") }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: output)
        try FileManager.default.removeItem(atPath: sourcePath)
        return output
    }

    static func run() async throws {
        let directory = try temporaryDirectory("hooks")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plugins = directory + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        let pluginPath = try buildPlugin(into: plugins)
        let store = try DocumentStore(directory: directory)
        let registry = PluginRegistry(directories: PluginDirectories(dataDirectory: directory, extra: [], environment: [:], besideExecutable: nil),
                                      keyValues: store.keyValues, logger: Logger(label: "bench"))
        registry.scan()
        let tenant = "tn_benchbenchbenchbench"
        try registry.activate("noop", tenantID: tenant, settings: Array("{}".utf8))
        let placement = try Placement(tablePrefix: "bench")
        let collection = try CollectionName("items")
        _ = try await store.createCollection(collection, in: placement)
        let id = try DocumentID("fixed")
        _ = try await store.insert(try JSONParser.parse(#"{"name":"bench","age":42,"tags":["a","b"]}"#).objectValue!, id: id, into: collection, in: placement)
        // The direct baseline: the same no-op function, called through a C function pointer.
        guard let image = dlopen(pluginPath, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(image, "aerolith_bench_noop") else {
            throw BenchmarkError("cannot resolve the no-op function")
        }
        typealias NoOp = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32
        let noop = unsafeBitCast(symbol, to: NoOp.self)
        // The per-request form the server uses: the route's texts made once, the path and the
        // collection lent from the request's bytes.
        let route = PluginRegistry.AuthorizeRoute(method: "GET", permission: "documents:read")
        let pathBytes = Array("/v1/collections/items/documents/fixed".utf8), collectionBytes = Array("items".utf8)
        func authorize() -> PluginRegistry.AuthorizeRefusal? {
            pathBytes.withUnsafeBytes { path in
                collectionBytes.withUnsafeBytes { collection in
                    registry.authorize(registry.hooks(forTenant: tenant), route: route, tenantID: tenant, requestID: "bench", path: path,
                                       subject: "ak_bench", role: "developer", collection: collection)
                }
            }
        }

        print("== hooks: a chain of \(chainLength) no-op authorize hooks (C), \(iterations) requests, best of \(rounds) interleaved rounds ==")
        var direct = Double.infinity, chain = Double.infinity, get = Double.infinity, getWithChain = Double.infinity
        var sink: Int32 = 0
        for _ in 0..<rounds {
            direct = min(direct, nanoseconds {
                var request = [UInt8](repeating: 0, count: 128)
                var result = [UInt8](repeating: 0, count: 8)
                request.withUnsafeMutableBytes { request in
                    result.withUnsafeMutableBytes { result in
                        for _ in 0..<iterations {
                            for _ in 0..<chainLength { sink &+= noop(nil, nil, request.baseAddress, result.baseAddress) }
                        }
                    }
                }
            })
            chain = min(chain, nanoseconds {
                for _ in 0..<iterations {
                    if authorize() != nil { sink &+= 1 }
                }
            })
            get = min(get, nanoseconds {
                for _ in 0..<iterations { sink &+= Int32(truncatingIfNeeded: (try? store.document(id, in: collection, placement: placement))?.version ?? 0) }
            })
            getWithChain = min(getWithChain, nanoseconds {
                for _ in 0..<iterations {
                    if authorize() != nil { sink &+= 1 }
                    sink &+= Int32(truncatingIfNeeded: (try? store.document(id, in: collection, placement: placement))?.version ?? 0)
                }
            })
        }
        if sink == 42 { print("") }
        registry.shutdown()
        let perRequest = { (total: Double) in total / Double(iterations) }
        print("                                 ns/request")
        print("direct C calls x\(chainLength)            \(String(format: "%10.1f", perRequest(direct)))")
        print("hook chain (lookup + 5 calls)  \(String(format: "%10.1f", perRequest(chain)))   ratio to direct \(String(format: "%.1f", chain / direct))")
        print("storage document get           \(String(format: "%10.1f", perRequest(get)))")
        print("storage get + chain            \(String(format: "%10.1f", perRequest(getWithChain)))   adds \(percent(getWithChain / get - 1)) to a storage get")
        try await stack(pluginPath: pluginPath, chainNanoseconds: perRequest(chain))
    }

    /// The same comparison through the whole server stack, in process: the application
    /// `aerolith serve` runs (middleware, router, authentication, the route's permission guard,
    /// the hooks, the handler, the response), its responder called directly with a document GET.
    /// No sockets, so no load generator competes for the two cores.
    ///
    /// Two tenants hold the same document; the plugin is active for one of them. Requests
    /// alternate between the two one by one, each timed on its own, so both sides see the same
    /// moment of a shared, noisy machine; the medians of the two sides are compared. Then the
    /// plugin moves to the other tenant and it is done again, and the two ratios are averaged,
    /// which cancels whatever differs between the tenants themselves.
    static func stack(pluginPath: String, chainNanoseconds: Double) async throws {
        let directory = try temporaryDirectory("hooks-stack")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plugins = directory + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.copyItem(atPath: pluginPath, toPath: plugins + "/noop.so")
        var configuration = ServerConfiguration(dataDirectory: directory + "/data")
        configuration.pluginDirectories = [plugins]
        let app = try await AerolithServer.makeApplication(configuration: configuration, logger: Logger(label: "bench"))
        let result = try await stackAlternating(app, directory: directory)
        print("server stack document get       \(String(format: "%10.1f", result.without))   (median; responder in process: middleware, auth, guard, handler)")
        print("server stack get, 5 hooks       \(String(format: "%10.1f", result.with))   adds \(percent(result.addedFraction))"
            + " (\(String(format: "%.0f", result.with - result.without)) ns; target <= \(percent(targetAddedFraction)));"
            + " \(stackPairs) alternating pairs per side, both tenants")
        print("chain alone / stack get         \(String(format: "%10.2f%%", chainNanoseconds / result.without * 100))")
        let http = try await http(pluginPath: pluginPath)
        print("HTTP document get               \(String(format: "%10.1f", http.without))   (median; real server, keep-alive loopback, AsyncHTTPClient)")
        print("HTTP get, 5 hooks               \(String(format: "%10.1f", http.with))   adds \(percent(http.addedFraction))"
            + " (\(String(format: "%.0f", http.with - http.without)) ns; target <= \(percent(targetAddedFraction)));"
            + " \(httpPairs) alternating pairs per side, both tenants")
    }

    static let stackPairs = 30_000
    static let stackWarmUpPairs = 3_000

    struct StackResult {
        /// Median nanoseconds per request, averaged over the two placements of the plugin.
        let with: Double
        let without: Double
        /// The mean of the two placements' median ratios, less one.
        let addedFraction: Double
    }

    static func stackAlternating<App: ApplicationProtocol>(_ app: App, directory: String) async throws -> StackResult
        where App.Responder.Context.Source == ApplicationRequestContextSource {
        let server = try await InProcessServer(app, dataDirectory: directory + "/data")
        return try await compareAlternating(pairs: stackPairs, warmUpPairs: stackWarmUpPairs, admin: server.adminKey) { method, path, key, body in
            try await server.send(HTTPRequest.Method(method)!, path, key: key, body: body)
        }
    }

    /// Two tenants with the same document, the plugin active for one: per-request times of GETs
    /// alternating between them, the plugin then moved to the other tenant and the same again.
    static func compareAlternating(
        pairs: Int, warmUpPairs: Int, admin: String,
        send: (_ method: String, _ path: String, _ key: String, _ body: String?) async throws -> (status: Int, body: String)
    ) async throws -> StackResult {
        let field = jsonField
        func tenant(_ name: String) async throws -> (id: String, key: String) {
            let id = try field(try await send("POST", "/v1/tenants", admin, #"{"name":"\#(name)"}"#).body, "id")
            let key = try field(try await send("POST", "/v1/tenants/\(id)/keys", admin, #"{"name":"bench"}"#).body, "key")
            _ = try await send("POST", "/v1/collections", key, #"{"name":"items"}"#)
            _ = try await send("POST", "/v1/collections/items/documents", key, #"{"id":"fixed","name":"bench","age":42,"tags":["a","b"]}"#)
            return (id, key)
        }
        func setActive(_ active: Bool, _ tenantID: String) async throws {
            let status = try await send(active ? "POST" : "DELETE", "/v1/tenants/\(tenantID)/plugins/noop", admin, nil).status
            guard status == 200 || status == 204 else { throw BenchmarkError("plugin activation change answered \(status)") }
        }
        let path = "/v1/collections/items/documents/fixed"
        func timedGet(_ key: String) async throws -> Double {
            let start = ContinuousClock.now
            let status = try await send("GET", path, key, nil).status
            let elapsed = AerolithBenchmarks.nanoseconds(since: start)
            guard status == 200 else { throw BenchmarkError("GET \(path) answered \(status)") }
            return elapsed
        }
        /// Per-request times with the plugin active for `active` only, alternating which goes first.
        func alternate(_ pairs: Int, active: String, inactive: String) async throws -> (with: [Double], without: [Double]) {
            var with: [Double] = [], without: [Double] = []
            with.reserveCapacity(pairs)
            without.reserveCapacity(pairs)
            for pair in 0..<pairs {
                if pair % 2 == 0 {
                    with.append(try await timedGet(active))
                    without.append(try await timedGet(inactive))
                } else {
                    without.append(try await timedGet(inactive))
                    with.append(try await timedGet(active))
                }
            }
            return (with, without)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let first = try await tenant("bench-a"), second = try await tenant("bench-b")
        var medians: [(with: Double, without: Double)] = []
        for (active, inactive) in [(first, second), (second, first)] {
            try await setActive(true, active.id)
            _ = try await alternate(warmUpPairs, active: active.key, inactive: inactive.key)
            let times = try await alternate(pairs, active: active.key, inactive: inactive.key)
            medians.append((median(times.with), median(times.without)))
            try await setActive(false, active.id)
        }
        let added = medians.map { $0.with / $0.without - 1 }.reduce(0, +) / Double(medians.count)
        return StackResult(with: medians.map(\.with).reduce(0, +) / Double(medians.count),
                           without: medians.map(\.without).reduce(0, +) / Double(medians.count), addedFraction: added)
    }

    static func nanoseconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        return AerolithBenchmarks.nanoseconds(since: start)
    }
}
