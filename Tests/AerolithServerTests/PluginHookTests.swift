import Foundation
import NIOHTTP1
import Testing

/// Plugins at work through the public surface: dropped into a running server, activated for
/// one tenant, changing that tenant's responses only, disabled and re-enabled at run time.
@Suite(.serialized) struct PluginHookTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let include = repository + "/SDK/include"
    static let hooksFixture = repository + "/Tests/AerolithKernelTests/Fixtures/hooks_plugin.c"

    /// Compiles `source` with cc and installs it as `directory/name` by renaming, as an operator
    /// installs a new version.
    static func install(_ source: String, as name: String, in directory: String, defines: [String] = []) throws {
        let staging = directory + "/.staging-\(UUID().uuidString).so"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        process.arguments = ["-shared", "-fPIC", "-std=c11", "-O2", "-I", include, "-o", staging, source] + defines.map { "-D" + $0 }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("cc failed for \(source)") }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: staging)
        guard rename(staging, directory + "/" + name) == 0 else { throw TestFailure("rename failed") }
    }

    static func pluginDirectory(of server: ServerProcess) throws -> String {
        let directory = server.dataDirectory + "/plugins"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return directory
    }

    /// Polls until `condition` holds (the server rescans its plugin directories every second).
    static func eventually(_ what: String, timeoutSeconds: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            // Checked once more after the deadline, in case a busy machine kept this task waiting past it.
            let expired = Date() >= deadline
            if try await condition() { return }
            if expired { throw TestFailure("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func admin(_ server: ServerProcess, _ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> HTTP.Reply {
        try await HTTP.send(method, server.baseURL + path, key: try server.adminKey, body: body)
    }

    @Test func theCExampleChangesOneTenantsResponsesUntilDisabled() async throws {
        let server = try await ServerProcess()
        let plugins = try Self.pluginDirectory(of: server)
        let acme = try await TenantFixture.make(server: server, name: "Acme")
        let other = try await TenantFixture.make(server: server, name: "Other")
        for tenant in [acme, other] { #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"notes"}"#).status == 201) }

        // Dropped into the running server's plugin directory: picked up without a restart.
        try Self.install(Self.repository + "/SDK/examples/c/hello_plugin.c", as: "hello_plugin.so", in: plugins)
        try await Self.eventually("the plugin to load") { try await Self.admin(server, .GET, "/v1/plugins/hello").status == 200 }
        let activated = try await Self.admin(server, .POST, "/v1/tenants/\(acme.tenantID)/plugins/hello")
        #expect(activated.status == 200 && activated.json["active"] as? Bool == true)

        let forbidden = #"{"forbidden":true}"#
        let refused = try await acme.send(.POST, "/v1/collections/notes/documents", body: forbidden)
        #expect(refused.status == 422 && refused.code == "forbidden_key")
        #expect(refused.string("detail") == #"documents may not contain the top-level key "forbidden""#)
        #expect(try await other.send(.POST, "/v1/collections/notes/documents", body: forbidden).status == 201)
        let denied = try await acme.send(.GET, "/v1/collections/restricted/documents/x")
        #expect(denied.status == 403 && denied.code == "plugin_denied")
        #expect(try await other.send(.GET, "/v1/collections/restricted/documents/x").code == "collection_not_found")
        // Percent-encoding cannot slip past the hook: it sees the decoded path.
        #expect(try await acme.send(.GET, "/v1/collections/%72estricted/documents/x").code == "plugin_denied")
        // Nor can empty segments, which the router ignores.
        #expect(try await acme.send(.GET, "/v1//collections//restricted/documents/x").code == "plugin_denied")
        let listed = try await Self.admin(server, .GET, "/v1/plugins/hello")
        #expect(listed.json["tenants_active"] as? [String] == [acme.tenantID])

        // Disabled at run time: the effect is gone at once; enabled: back, for the same tenant.
        #expect(try await Self.admin(server, .POST, "/v1/plugins/hello/disable").json["state"] as? String == "disabled")
        #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: forbidden).status == 201)
        #expect(try await Self.admin(server, .POST, "/v1/plugins/hello/enable").json["state"] as? String == "enabled")
        #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: forbidden).status == 422)

        // State survives a restart.
        server.stop()
        try await server.start()
        #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: forbidden).status == 422)
        let cli = try CLITests.aerolith(
            ["plugin", "deactivate", "hello", "--tenant", acme.tenantID],
            environment: ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": try server.adminKey])
        #expect(cli.status == 0 && cli.stdout.contains("is not active for \(acme.tenantID)"))
        #expect(try await acme.send(.POST, "/v1/collections/notes/documents", body: forbidden).status == 201)
    }

    @Test func theFirstPartySwiftPluginRecordsAnAuditTrail() async throws {
        let server = try await ServerProcess(arguments: ServerProcess.metricsArguments)
        let plugin = try await Self.admin(server, .GET, "/v1/plugins/audit")
        #expect(plugin.status == 200 && plugin.json["state"] as? String == "enabled")
        #expect((plugin.string("file") ?? "").hasSuffix("/libAerolithPluginAudit.so"))
        let acme = try await TenantFixture.make(server: server, name: "Acme")
        let other = try await TenantFixture.make(server: server, name: "Other")
        let cli = try CLITests.aerolith(
            ["plugin", "activate", "audit", "--tenant", acme.tenantID],
            environment: ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": try server.adminKey])
        #expect(cli.status == 0)
        #expect(try await acme.send(.POST, "/v1/collections", body: #"{"name":"orders"}"#).status == 201)
        let created = try await acme.send(.POST, "/v1/collections/orders/documents", body: #"{"id":"o1","total":5}"#)
        #expect(created.status == 201)
        #expect(try await acme.send(.PATCH, "/v1/collections/orders/documents/o1", body: #"{"total":7}"#).status == 200)
        #expect(try await acme.send(.DELETE, "/v1/collections/orders/documents/o1").status == 204)
        var events: [[String: Any]] = []
        try await Self.eventually("three audit events") {
            events = try await acme.send(.GET, "/v1/audit").json["events"] as? [[String: Any]] ?? []
            return events.count == 3
        }
        // Newest first.
        #expect(events.map { $0["action"] as? String } == ["deleted", "patched", "created"])
        #expect(events.last?["collection"] as? String == "orders" && events.last?["id"] as? String == "o1")
        #expect((events[1]["data"] as? [String: Any])?["total"] as? Int == 7)
        // Not active for the other tenant: the route does not exist there.
        #expect(try await other.send(.GET, "/v1/audit").status == 404)
        let metrics = try await server.metrics()
        #expect(metrics.body.contains(#"aerolith_plugin_audit_writes{"#) && metrics.body.contains(#"plugin="audit""#))
    }

    @Test func authenticationIsolationRoutesStateEventsAndPricing() async throws {
        let configuration = NSTemporaryDirectory() + "aerolith-config-\(UUID().uuidString).json"
        try
            #"{"plugins":{"isolation_strategy":"fixture/prefix","configuration":{"fixture":{"mode":"test"}}},"pricing_function":"fixture/price_i64"}"#
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: configuration) }
        let pluginDirectory = NSTemporaryDirectory() + "aerolith-hooks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: pluginDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: pluginDirectory) }
        try Self.install(Self.hooksFixture, as: "fixture.so", in: pluginDirectory)
        let server = try await ServerProcess(
            arguments: ["--config", configuration, "--plugin-dir", pluginDirectory] + ServerProcess.metricsArguments)

        // Isolation: the selected strategy placed the new tenant.
        let acme = try await TenantFixture.make(server: server, name: "Acme")
        let tenant = try await Self.admin(server, .GET, "/v1/tenants/\(acme.tenantID)")
        #expect((tenant.json["placement"] as? [String: String])?["table_prefix"] == "iso_" + acme.tenantID.dropFirst(3))
        #expect(try await acme.send(.POST, "/v1/collections", body: #"{"name":"items"}"#).status == 201)

        // Authentication provider: only for tenants where the plugin is active.
        let sso = "fixture:\(acme.tenantID):viewer"
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/collections", key: sso).status == 401)
        #expect(
            try await Self.admin(server, .POST, "/v1/tenants/\(acme.tenantID)/plugins/fixture", body: #"{"settings":{"tag":"red"}}"#).status
                == 200)
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/collections", key: sso).status == 200)
        #expect(try await HTTP.send(.POST, server.baseURL + "/v1/collections/items/documents", key: sso, body: "{}").status == 403)
        let rejected = try await HTTP.send(.GET, server.baseURL + "/v1/collections", key: "fixture:reject")
        #expect(rejected.status == 401 && rejected.string("detail") == "the fixture rejects this credential")
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/collections", key: "fixture:\(acme.tenantID):superuser").status == 401)
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/collections", key: "nobody-knows-this").status == 401)

        // Before-write transforms with the tenant's settings; the stored body is the transformed one.
        let stamped = try await acme.send(.POST, "/v1/collections/items/documents", body: #"{"id":"i1","n":1}"#)
        #expect((stamped.json["data"] as? [String: Any])?["stamped_by"] as? String == "fixture")
        #expect((stamped.json["data"] as? [String: Any])?["tag"] as? String == "red")
        let batch = try await acme.send(
            .POST, "/v1/collections/items/batch",
            body: #"{"operations":[{"op":"create","id":"i2","data":{}},{"op":"create","id":"i3","data":{"reject":true}}]}"#)
        #expect(batch.status == 422 && batch.code == "rejected_by_fixture" && batch.json["operation_index"] as? Int == 1)
        #expect(try await acme.send(.GET, "/v1/collections/items/documents/i2").status == 404)

        // The authorization hook sees the collection the route addresses, percent-decoded.
        #expect(try await acme.send(.GET, "/v1/collections/blocked/documents/x").string("detail") == "the collection blocked is closed")
        #expect(try await acme.send(.POST, "/v1/collections/%62locked/query", body: "{}").code == "plugin_denied")
        #expect(try await acme.send(.GET, "/v1//collections/blocked/documents/x").code == "plugin_denied")
        #expect(try await acme.send(.GET, "/v1/collections/blocked?verbose=%31").code == "plugin_denied")
        #expect(try await acme.send(.GET, "/v1/collections/items/documents/i1?fields=all").status == 200)
        // HEAD is guarded and hooked like the GET it mirrors, and answers without a body.
        #expect(try await acme.send(.HEAD, "/v1/collections/blocked/documents/x").status == 403)
        let head = try await acme.send(.HEAD, "/v1/collections/items/documents/i1")
        #expect(head.status == 200 && head.body.isEmpty)
        // A run of hooks slower than the budget is counted against its plugin, and still allows.
        #expect(try await acme.send(.GET, "/v1/collections/slow/documents/x").status == 404)
        let metrics = try await server.metrics().body.split(separator: "\n")
        #expect(
            metrics.contains {
                // At least this one: on a loaded machine an earlier run of the hooks may have been slow too.
                $0.hasPrefix("aerolith_plugins_slow_calls_total{") && $0.contains(#"kind="authorize""#)
                    && $0.contains(#"plugin="fixture""#) && (Double($0.split(separator: " ").last ?? "") ?? 0) >= 1
            })

        // The plugin's route, its state and its events.
        #expect(try await acme.send(.POST, "/v1/fixture/notes", body: #"remember"#).status == 204)
        try await Self.eventually("usage and document events") {
            let report = try await acme.send(.GET, "/v1/fixture/x?y=1").json
            return report["last_write"] as? String == "i1" && report["note"] as? String == "remember"
                && report["events_document"] as? Int == 1 && (report["events_usage"] as? Int ?? 0) >= 3 && report["path"] as? String == "/x"
        }
        #expect(try await Self.admin(server, .GET, "/v1/fixture").status == 403)

        // Pricing through the exported function named in configuration: 10 per document + 1 per kB.
        let usage = try await acme.send(.GET, "/v1/usage").json
        let documents = usage["documents"] as? Int ?? -1
        let bytes = usage["storage_bytes"] as? Int ?? -1
        #expect((usage["price"] as? [String: Any])?["amount_minor_units"] as? Int == documents * 10 + bytes / 1000)
        #expect(try await Self.admin(server, .POST, "/v1/plugins/fixture/disable").status == 200)
        #expect(try await acme.send(.GET, "/v1/usage").code == "pricing_unavailable")
        #expect(try await Self.admin(server, .POST, "/v1/tenants", body: #"{"name":"Nowhere"}"#).code == "isolation_unavailable")
    }

    @Test func refusedFilesAreListedWhileTheServerKeepsServing() async throws {
        let server = try await ServerProcess()
        let plugins = try Self.pluginDirectory(of: server)
        let fixture = Self.repository + "/Tests/AerolithKernelTests/Fixtures/configurable_plugin.c"
        try Self.install(fixture, as: "init_fails.so", in: plugins, defines: ["FAIL_INIT", #"PLUGIN_NAME="fails""#])
        try Self.install(fixture, as: "tail.so", in: plugins, defines: ["TAIL=2", #"PLUGIN_NAME="tail""#])
        try Self.install(fixture, as: "major.so", in: plugins, defines: ["ABI_MAJOR=2", #"PLUGIN_NAME="major""#])
        let noEntry = plugins + "/no_entry.c"
        try "int something(void) { return 1; }\n".write(toFile: noEntry, atomically: true, encoding: .utf8)
        try Self.install(noEntry, as: "no_entry.so", in: plugins)
        let unresolved = plugins + "/unresolved.c"
        try "extern int missing_symbol(void);\nint aerolith_plugin_init(void) { return missing_symbol(); }\n".write(
            toFile: unresolved, atomically: true, encoding: .utf8)
        try Self.install(unresolved, as: "unresolved.so", in: plugins)
        try Self.install(fixture, as: "writable.so", in: plugins, defines: [#"PLUGIN_NAME="writable""#])
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: plugins + "/writable.so")
        // A relocatable object (cc -c) is ELF but not a shared object.
        let object = Process()
        object.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        object.arguments = ["-c", "-o", plugins + "/object.so", noEntry]
        try object.run()
        object.waitUntilExit()
        try "just text".write(toFile: plugins + "/text.so", atomically: true, encoding: .utf8)
        let expected = [
            "init_fails.so": "init_failed", "tail.so": "non_zero_tail", "major.so": "abi_mismatch", "no_entry.so": "no_entry_symbol",
            "unresolved.so": "load_failed", "writable.so": "unsafe_permissions", "object.so": "not_shared_object",
            "text.so": "not_elf",
        ]
        var codes: [String: String] = [:]
        try await Self.eventually("every refusal to be listed") {
            let listing = try await Self.admin(server, .GET, "/v1/plugins").json["plugins"] as? [[String: Any]] ?? []
            codes = [:]
            for entry in listing {
                guard let file = (entry["file"] as? String)?.split(separator: "/").last.map(String.init),
                    let code = (entry["reason"] as? [String: Any])?["code"] as? String
                else { continue }
                codes[file] = code
            }
            return expected.allSatisfy { codes[$0.key] == $0.value }
        }
        let failing = try await Self.admin(server, .GET, "/v1/plugins").body
        #expect(failing.contains("no licence key configured"))
        #expect(try await HTTP.send(.GET, server.baseURL + "/health/live").status == 200)
        let tenant = try await TenantFixture.make(server: server)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"still-serving"}"#).status == 201)

        // A new version renamed over a loaded plugin takes its place; rewriting in place is refused.
        try Self.install(fixture, as: "versioned.so", in: plugins, defines: [#"PLUGIN_NAME="versioned""#])
        try await Self.eventually("version 1.2.3") {
            try await Self.admin(server, .GET, "/v1/plugins/versioned").string("version") == "1.2.3"
        }
        try Self.install(
            Self.hooksFixture, as: "versioned.so", in: plugins,
            defines: [
                #"PLUGIN_NAME="versioned""#, #"PLUGIN_VERSION="2.0.0""#,
                #"ROUTE_PREFIX="versioned""#,
            ])
        try await Self.eventually("version 2.0.0") {
            try await Self.admin(server, .GET, "/v1/plugins/versioned").string("version") == "2.0.0"
        }
        let check = try CLITests.aerolith(["plugin", "check", plugins + "/versioned.so"])
        #expect(check.status == 0 && check.stdout.contains("conformance: passed"))
        let badCheck = try CLITests.aerolith(["plugin", "check", plugins + "/tail.so"])
        #expect(badCheck.status == 1 && badCheck.stdout.contains("FAIL") && badCheck.stdout.contains("non_zero_tail"))
    }
}
