import Foundation
import Testing

/// Tenant slugs over HTTP and from the CLI: chosen or derived at creation, shown, accepted
/// wherever a tenant is named; and finding one's tenants from an email without learning
/// whether an email exists.
@Suite struct TenantSlugAPITests {
    @Test func slugsAreChosenOrDerivedAndNameTenantsEverywhere() async throws {
        let server = try await ServerProcess()
        let admin = try server.adminKey
        func post(_ path: String, _ body: String) async throws -> HTTP.Reply {
            try await HTTP.send(.POST, server.baseURL + path, key: admin, body: body)
        }

        let derived = try await post("/v1/tenants", #"{"name":"Globex"}"#)
        #expect(
            derived.status == 201 && derived.string("slug") == "globex" && derived.json["slug_derived"] as? Bool == true, "\(derived.body)")
        let second = try await post("/v1/tenants", #"{"name":"Globex"}"#)
        #expect(second.string("slug") == "globex-2")
        let chosen = try await post("/v1/tenants", #"{"name":"Initech","slug":"initech-eu"}"#)
        #expect(chosen.status == 201 && chosen.string("slug") == "initech-eu" && chosen.json["slug_derived"] as? Bool == false)
        let taken = try await post("/v1/tenants", #"{"name":"Other","slug":"globex"}"#)
        #expect(taken.status == 409 && taken.code == "slug_taken")
        for bad in ["Bad_Slug", "ab", "admin", "-x-y-"] {
            let refused = try await post("/v1/tenants", #"{"name":"Other","slug":"\#(bad)"}"#)
            #expect(refused.status == 400 && refused.code == "invalid_slug", "\(bad): \(refused.body)")
        }

        // Shown by the tenant, the listing, and accepted in every {tenant} path.
        let id = try #require(chosen.string("id"))
        let shown = try await HTTP.send(.GET, server.baseURL + "/v1/tenants/initech-eu", key: admin)
        #expect(
            shown.status == 200 && shown.string("id") == id && shown.string("slug") == "initech-eu" && shown.json["slug_derived"] == nil)
        let list = try await HTTP.send(.GET, server.baseURL + "/v1/tenants", key: admin)
        #expect((list.json["tenants"] as? [[String: Any]])?.compactMap { $0["slug"] as? String } == ["globex", "globex-2", "initech-eu"])
        let key = try await post("/v1/tenants/initech-eu/keys", #"{"name":"by-slug"}"#)
        #expect(key.status == 201 && key.string("tenant_id") == id)
        let keys = try await HTTP.send(.GET, server.baseURL + "/v1/tenants/initech-eu/keys", key: admin)
        #expect((keys.json["keys"] as? [[String: Any]])?.count == 1)
        let keyID = try #require(key.string("id"))
        #expect(try await HTTP.send(.DELETE, server.baseURL + "/v1/tenants/initech-eu/keys/\(keyID)", key: admin).status == 204)
        let patched = try await HTTP.send(.PATCH, server.baseURL + "/v1/tenants/globex-2", key: admin, body: #"{"plan":"professional"}"#)
        #expect(patched.status == 200 && patched.string("plan") == "professional" && patched.string("slug") == "globex-2")
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/tenants/no-such-tenant", key: admin).code == "tenant_not_found")

        // The CLI names tenants by slug too, and shows the slug.
        let environment = ["AEROLITH_URL": server.baseURL, "AEROLITH_KEY": admin]
        let show = try CLITests.aerolith(["tenant", "show", "globex"], environment: environment)
        #expect(show.status == 0 && show.stdout.contains("SLUG") && show.stdout.contains("globex"), "\(show.stderr)")
        let created = try CLITests.aerolith(["tenant", "create", "Hooli", "--slug", "hooli-xyz", "--json"], environment: environment)
        #expect(created.status == 0 && created.json["slug"] as? String == "hooli-xyz", "\(created.stderr)")
        let cliKey = try CLITests.aerolith(["key", "create", "--tenant", "hooli-xyz", "--name", "cli", "--json"], environment: environment)
        #expect(cliKey.status == 0 && cliKey.json["tenant_id"] as? String == created.json["id"] as? String, "\(cliKey.stderr)")
    }

    @Test func signInBySlugAndFindTenantsFromAnEmail() async throws {
        let fixture = try await IdentityFixture.start()
        let password = "correct horse battery"
        let chosen = try await fixture.post(
            "/v1/signup", #"{"tenant_name":"Acme","tenant_slug":"acme-inc","email":"ann@example.com","password":"\#(password)"}"#)
        let tenant = chosen.json["tenant"] as? [String: Any]
        #expect(
            chosen.status == 201 && tenant?["slug"] as? String == "acme-inc" && tenant?["slug_derived"] as? Bool == false, "\(chosen.body)")
        // Signup for the same email twice under one name: two tenants, told apart by slug.
        for _ in 0..<2 { _ = try await fixture.signup("Globex", email: "ann@example.com") }
        let taken = try await fixture.post(
            "/v1/signup", #"{"tenant_name":"Other","tenant_slug":"acme-inc","email":"bob@example.com","password":"\#(password)"}"#)
        #expect(taken.status == 409 && taken.code == "slug_taken")
        let badSlug = try await fixture.post(
            "/v1/signup", #"{"tenant_name":"Other","tenant_slug":"No Good","email":"bob@example.com","password":"\#(password)"}"#)
        #expect(badSlug.status == 400 && badSlug.code == "invalid_slug")

        // Sign in naming the tenant by slug; a wrong password is the usual refusal.
        let session = try await fixture.login("globex-2", email: "ann@example.com")
        #expect(try await fixture.meStatus(session.access) == 200)
        let wrong = try await fixture.post(
            "/v1/auth/login", #"{"tenant":"acme-inc","email":"ann@example.com","password":"wrong password"}"#)
        #expect(wrong.status == 401 && wrong.code == "invalid_credentials")

        let found = try await fixture.post("/v1/auth/tenants", #"{"email":"ann@example.com","password":"\#(password)"}"#)
        let tenants = found.json["tenants"] as? [[String: Any]]
        #expect(
            found.status == 200 && tenants?.compactMap { $0["slug"] as? String } == ["acme-inc", "globex", "globex-2"], "\(found.body)")
        #expect(tenants?.allSatisfy { Set($0.keys) == ["id", "slug", "name"] } == true)
        // An unknown email and a wrong password get the same answer.
        let unknown = try await fixture.post("/v1/auth/tenants", #"{"email":"nobody@example.com","password":"\#(password)"}"#)
        let mistaken = try await fixture.post("/v1/auth/tenants", #"{"email":"ann@example.com","password":"not the password"}"#)
        #expect(unknown.status == 200 && mistaken.status == 200 && unknown.body == mistaken.body && unknown.body == #"{"tenants":[]}"#)

        // From the CLI: find the tenants, then sign in by slug.
        let configDirectory = NSTemporaryDirectory() + "aerolith-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: configDirectory) }
        let environment = ["AEROLITH_URL": fixture.server.baseURL, "AEROLITH_CONFIG_DIR": configDirectory]
        let listed = try CLITests.aerolith(
            ["auth", "tenants", "--email", "ann@example.com", "--password-stdin"], environment: environment,
            stdin: password + "\n")
        #expect(
            listed.status == 0 && listed.stdout.contains("SLUG") && listed.stdout.contains("globex-2")
                && listed.stdout.contains("acme-inc"),
            "\(listed.stderr)")
        let none = try CLITests.aerolith(
            ["auth", "tenants", "--email", "nobody@example.com", "--password-stdin"], environment: environment,
            stdin: password + "\n")
        #expect(none.status == 0 && none.stdout.isEmpty && none.stderr.contains("no tenant"))
        let login = try CLITests.aerolith(
            ["auth", "login", "--tenant", "acme-inc", "--email", "ann@example.com", "--password-stdin"],
            environment: environment, stdin: password + "\n")
        #expect(login.status == 0, "\(login.stderr)")
        let whoami = try CLITests.aerolith(["auth", "whoami", "--json"], environment: environment)
        #expect((whoami.json["tenant"] as? [String: Any])?["slug"] as? String == "acme-inc", "\(whoami.stdout)")
    }
}
