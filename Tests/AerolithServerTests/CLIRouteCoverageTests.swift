import Foundation
import Testing

/// Every route of the server's OpenAPI document has a CLI command: a new route without one
/// fails here until it gets one (and a line below).
@Suite struct CLIRouteCoverageTests {
    /// operationId → the command that sends it.
    static let commands: [String: [String]] = [
        "live": ["health"], "ready": ["health"], "openapi": ["openapi"], "metrics": ["metrics"],
        "signup": ["signup"], "login": ["auth", "login"], "refresh": ["auth", "refresh"], "logout": ["auth", "logout"],
        "findTenants": ["auth", "tenants"], "listSessions": ["auth", "sessions"], "revokeSession": ["auth", "revoke"],
        "me": ["auth", "whoami"],
        "changePassword": ["user", "password"], "rotateSigningKey": ["auth", "rotate-signing-key"],
        "createOwnKey": ["key", "create"], "listOwnKeys": ["key", "list"], "revokeOwnKey": ["key", "revoke"],
        "createKey": ["key", "create"], "listKeys": ["key", "list"], "revokeKey": ["key", "revoke"],
        "listRoles": ["role", "list"], "createRole": ["role", "create"], "deleteRole": ["role", "delete"],
        "listUsers": ["user", "list"], "createUser": ["user", "create"], "getUser": ["user", "show"],
        "updateUser": ["user", "update"], "deleteUser": ["user", "delete"],
        "createTenant": ["tenant", "create"], "listTenants": ["tenant", "list"], "getTenant": ["tenant", "show"],
        "updateTenant": ["tenant", "update"],
        "createCollection": ["collection", "create"], "listCollections": ["collection", "list"],
        "getCollection": ["collection", "show"], "dropCollection": ["collection", "drop"],
        "createIndex": ["index", "create"], "listIndexes": ["index", "list"], "dropIndex": ["index", "drop"],
        "createDocument": ["doc", "put"], "getDocument": ["doc", "get"], "replaceDocument": ["doc", "put"],
        "patchDocument": ["doc", "patch"], "deleteDocument": ["doc", "delete"],
        "queryDocuments": ["doc", "query"], "batchDocuments": ["doc", "batch"], "getUsage": ["usage"],
        "listPlugins": ["plugin", "list"], "getPlugin": ["plugin", "info"], "callPluginFunction": ["plugin", "call"],
        "enablePlugin": ["plugin", "enable"], "disablePlugin": ["plugin", "disable"], "reloadPlugin": ["plugin", "reload"],
        "activatePlugin": ["plugin", "activate"], "deactivatePlugin": ["plugin", "deactivate"],
    ]

    @Test func everyRouteHasACommand() async throws {
        let server = try await ServerProcess()
        let document = try await HTTP.send(.GET, server.baseURL + "/openapi.json").json
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let operations = Set(paths.values.flatMap { $0.values.compactMap { ($0 as? [String: Any])?["operationId"] as? String } })
        #expect(operations.count > 40)
        let missing = operations.subtracting(Self.commands.keys).sorted()
        #expect(missing.isEmpty, "routes without a CLI command: \(missing)")
        for words in Set(Self.commands.values) {
            let help = try CLITests.aerolith(words + ["--help"])
            #expect(help.status == 0 && help.stdout.contains("USAGE"), "aerolith \(words.joined(separator: " ")): \(help.stderr)")
        }
    }
}
