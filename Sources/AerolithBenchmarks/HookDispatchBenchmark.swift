import AerolithJSON
import AerolithKernel
import AerolithServer
import AerolithStorage
import Foundation
import Logging

/// What five no-op authorization hooks (a C plugin built here with cc) add to a document get.
///
/// The headline is end to end: the real `aerolith serve` over loopback HTTP, a document GET of a
/// tenant with the plugin active against the same GET of a tenant without it, interleaved
/// request by request, in several rounds; the median of the rounds' ratios is the figure, the
/// rounds' range its spread. In process, for scale: the chain alone and a storage-level get.
enum HookDispatchBenchmark {
    static let iterations = 200_000
    static let rounds = 5
    static let chainLength = 5
    /// The target: five no-op hooks add at most this fraction to an HTTP document get.
    static let targetAddedFraction = 0.02

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
        let store = try SQLiteDocumentStore(directory: directory)
        let registry = PluginRegistry(
            directories: PluginDirectories(dataDirectory: directory, extra: [], environment: [:], besideExecutable: nil),
            keyValues: store.keyValues, logger: Logger(label: "bench"))
        registry.scan()
        let tenant = "tn_benchbenchbenchbench"
        try registry.activate("noop", tenantID: tenant, settings: Array("{}".utf8))
        let placement = try Placement(tablePrefix: "bench")
        let collection = try CollectionName("items")
        _ = try await store.createCollection(collection, in: placement)
        let id = try DocumentID("fixed")
        _ = try await store.insert(
            try JSONParser.parse(#"{"name":"bench","age":42,"tags":["a","b"]}"#).objectValue!, id: id, into: collection, in: placement)
        let input = PluginRegistry.AuthorizeInput(
            method: "GET", path: "/v1/collections/items/documents/fixed", permission: "documents:read",
            subject: "ak_bench", role: "developer", collection: "items")
        func authorize() -> Bool {
            registry.authorize(registry.hooks(forTenant: tenant), tenantID: tenant, requestID: "bench", input) == .allowed
        }

        print("== hooks: \(chainLength) no-op authorize hooks (C plugin) on a document get ==")
        var chain = Double.infinity
        var get = Double.infinity
        var sink = 0
        for _ in 0..<rounds {
            chain = min(
                chain,
                nanoseconds {
                    for _ in 0..<iterations where authorize() { sink &+= 1 }
                })
            get = min(
                get,
                nanoseconds {
                    for _ in 0..<iterations { sink &+= Int((try? store.document(id, in: collection, placement: placement))?.version ?? 0) }
                })
        }
        if sink == 42 { print("") }
        registry.shutdown()
        let perRequest = { (total: Double) in total / Double(iterations) }
        print("in process (best of \(rounds) rounds of \(iterations)):")
        print("  hook chain (lookup + \(chainLength) calls)  \(String(format: "%10.1f", perRequest(chain))) ns/request")
        print("  storage document get            \(String(format: "%10.1f", perRequest(get))) ns/request")
        let http = try await http(pluginPath: pluginPath)
        print(
            "HTTP, real server over keep-alive loopback (AsyncHTTPClient), \(httpRounds) rounds x \(httpPairs) interleaved pairs per placement:"
        )
        print("  document get, no hooks          \(String(format: "%10.1f", http.without)) ns (median of rounds)")
        print("  document get, \(chainLength) hooks           \(String(format: "%10.1f", http.with)) ns (median of rounds)")
        print(
            "  hooks add                       \(percent(http.addedFraction)) (median; rounds \(percent(http.addedMin)) to \(percent(http.addedMax)))"
                + "  ratio \(String(format: "%.4f", 1 + http.addedFraction)); target <= \(percent(targetAddedFraction)): "
                + (http.addedFraction <= targetAddedFraction ? "met" : "NOT met"))
    }

    struct Comparison {
        /// Median nanoseconds per request, the median over the rounds.
        let with: Double
        let without: Double
        /// The median over the rounds of (with / without - 1), and the rounds' range.
        let addedFraction: Double
        let addedMin: Double
        let addedMax: Double
    }

    /// Two tenants with the same document. Each round: the plugin active for one, GETs
    /// alternating between the two one by one (so both sides see the same moment of a shared,
    /// noisy machine), then the plugin moved to the other and the same again; the round's
    /// figure is the mean of the two placements' median ratios, which cancels whatever differs
    /// between the tenants themselves.
    static func compareRounds(
        rounds: Int, pairs: Int, warmUpPairs: Int, admin: String,
        send: (_ method: String, _ path: String, _ key: String, _ body: String?) async throws -> (status: Int, body: String)
    ) async throws -> Comparison {
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
            var with: [Double] = []
            var without: [Double] = []
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
        let first = try await tenant("bench-a")
        let second = try await tenant("bench-b")
        try await setActive(true, first.id)
        _ = try await alternate(warmUpPairs, active: first.key, inactive: second.key)
        try await setActive(false, first.id)
        var added: [Double] = []
        var withs: [Double] = []
        var withouts: [Double] = []
        for _ in 0..<rounds {
            var ratios: [Double] = []
            var with: [Double] = []
            var without: [Double] = []
            for (active, inactive) in [(first, second), (second, first)] {
                try await setActive(true, active.id)
                let times = try await alternate(pairs, active: active.key, inactive: inactive.key)
                with.append(median(times.with))
                without.append(median(times.without))
                ratios.append(with.last! / without.last!)
                try await setActive(false, active.id)
            }
            added.append(ratios.reduce(0, +) / Double(ratios.count) - 1)
            withs.append(with.reduce(0, +) / Double(with.count))
            withouts.append(without.reduce(0, +) / Double(without.count))
        }
        return Comparison(
            with: median(withs), without: median(withouts), addedFraction: median(added),
            addedMin: added.min() ?? 0, addedMax: added.max() ?? 0)
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func nanoseconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        return AerolithBenchmarks.nanoseconds(since: start)
    }
}
