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
    static let stackSegmentCount = 40
    static let stackSegmentRequests = 1_000
    static let stackWarmUpRequests = 2_000
    static let stackSegmentWarmUpRequests = 100

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
        let input = PluginRegistry.AuthorizeInput(method: "GET", path: "/v1/collections/items/documents/fixed", permission: "documents:read",
                                                  subject: "ak_bench", role: "developer", collection: "items")

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
                    if registry.authorize(registry.hooks(forTenant: tenant), tenantID: tenant, requestID: "bench", input) != .allowed { sink &+= 1 }
                }
            })
            get = min(get, nanoseconds {
                for _ in 0..<iterations { sink &+= Int32(truncatingIfNeeded: (try? store.document(id, in: collection, placement: placement))?.version ?? 0) }
            })
            getWithChain = min(getWithChain, nanoseconds {
                for _ in 0..<iterations {
                    if registry.authorize(registry.hooks(forTenant: tenant), tenantID: tenant, requestID: "bench", input) != .allowed { sink &+= 1 }
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
    /// No sockets, so no load generator competes for the two cores. One tenant reads one
    /// document in short segments of requests, the plugin activated for it before every other
    /// segment and deactivated before the rest (outside the timing, each segment warmed up
    /// first), so both sides see the same tenant, data, process and machine state. The best
    /// segment of each side counts, and the median of the segment pairs' ratios is shown beside it.
    static func stack(pluginPath: String, chainNanoseconds: Double) async throws {
        let directory = try temporaryDirectory("hooks-stack")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plugins = directory + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.copyItem(atPath: pluginPath, toPath: plugins + "/noop.so")
        var configuration = ServerConfiguration(dataDirectory: directory + "/data")
        configuration.pluginDirectories = [plugins]
        let app = try await AerolithServer.makeApplication(configuration: configuration, logger: Logger(label: "bench"))
        let (with, without, medianRatio) = try await stackSegments(app, directory: directory)
        print("server stack document get       \(String(format: "%10.1f", without))   (responder in process: middleware, auth, guard, handler)")
        print("server stack get, 5 hooks       \(String(format: "%10.1f", with))   adds \(percent(with / without - 1)) (target <= \(percent(targetAddedFraction)));"
            + " median of \(stackSegmentCount) segment pairs \(percent(medianRatio - 1))")
        print("chain alone / stack get         \(String(format: "%10.2f%%", chainNanoseconds / without * 100))")
    }

    static func stackSegments<App: ApplicationProtocol>(_ app: App, directory: String) async throws -> (Double, Double, Double)
        where App.Responder.Context.Source == ApplicationRequestContextSource {
        let server = try await InProcessServer(app, dataDirectory: directory + "/data")
        let admin = server.adminKey
        func send(_ method: HTTPRequest.Method, _ path: String, key: String, body: String? = nil) async throws -> (status: Int, body: String) {
            try await server.send(method, path, key: key, body: body)
        }
        let field = jsonField
        func tenant(_ name: String) async throws -> (id: String, key: String) {
            let id = try field(try await send(.post, "/v1/tenants", key: admin, body: #"{"name":"\#(name)"}"#).body, "id")
            let key = try field(try await send(.post, "/v1/tenants/\(id)/keys", key: admin, body: #"{"name":"bench"}"#).body, "key")
            _ = try await send(.post, "/v1/collections", key: key, body: #"{"name":"items"}"#)
            _ = try await send(.post, "/v1/collections/items/documents", key: key, body: #"{"id":"fixed","name":"bench","age":42,"tags":["a","b"]}"#)
            return (id, key)
        }
        func getLoop(_ requests: Int, key: String) async throws -> Double {
            try await server.getLoop(requests, path: "/v1/collections/items/documents/fixed", key: key)
        }
        let subject = try await tenant("bench")
        func setActive(_ active: Bool) async throws {
            let status = try await send(active ? .post : .delete, "/v1/tenants/\(subject.id)/plugins/noop", key: admin).status
            guard status == 200 || status == 204 else { throw BenchmarkError("plugin activation change answered \(status)") }
        }
        func timed(active: Bool) async throws -> Double {
            try await setActive(active)
            _ = try await getLoop(stackSegmentWarmUpRequests, key: subject.key)
            return try await getLoop(stackSegmentRequests, key: subject.key)
        }
        try await setActive(true)
        _ = try await getLoop(stackWarmUpRequests, key: subject.key)
        try await setActive(false)
        _ = try await getLoop(stackWarmUpRequests, key: subject.key)
        var with = Double.infinity, without = Double.infinity
        var ratios: [Double] = []
        for segment in 0..<stackSegmentCount {
            var pair = (with: 0.0, without: 0.0)
            if segment % 2 == 0 {
                pair.with = try await timed(active: true)
                pair.without = try await timed(active: false)
            } else {
                pair.without = try await timed(active: false)
                pair.with = try await timed(active: true)
            }
            with = min(with, pair.with)
            without = min(without, pair.without)
            ratios.append(pair.with / pair.without)
        }
        return (with, without, ratios.sorted()[ratios.count / 2])
    }

    static func nanoseconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        return AerolithBenchmarks.nanoseconds(since: start)
    }
}
