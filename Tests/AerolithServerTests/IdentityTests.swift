import Foundation
import NIOHTTP1
import Testing

/// Users, sessions and access tokens through HTTP: the walkthrough path and every refusal the
/// identity layer promises.
@Suite struct IdentityTests {
    @Test func signupLoginDocumentsLogout() async throws {
        let fixture = try await IdentityFixture.start()
        let owner = try await fixture.signup("Acme", email: "Ann@Example.com")
        let me = try await fixture.send(.GET, "/v1/me", token: owner.access)
        #expect(me.status == 200)
        #expect((me.json["user"] as? [String: Any])?["email"] as? String == "ann@example.com")
        #expect((me.json["permissions"] as? [String])?.contains("users:manage") == true)
        #expect(try await fixture.post("/v1/collections", #"{"name":"notes"}"#, token: owner.access).status == 201)
        #expect(try await fixture.post("/v1/collections/notes/documents", #"{"id":"n1","text":"hi"}"#, token: owner.access).status == 201)

        let second = try await fixture.login(owner.tenantID, email: "ann@example.com")
        let sessions = try await fixture.send(.GET, "/v1/auth/sessions", token: second.access)
        #expect((sessions.json["sessions"] as? [[String: Any]])?.count == 2)
        #expect(try await fixture.send(.GET, "/v1/collections/notes/documents/n1", token: second.access).status == 200)

        // Logout revokes now: the access token stops working at once, and so does its refresh token.
        #expect(try await fixture.post("/v1/auth/logout", "", token: second.access).status == 204)
        #expect(try await fixture.meStatus(second.access) == 401)
        #expect(try await fixture.post("/v1/auth/refresh", #"{"refresh_token":"\#(second.refresh)"}"#).code == "session_ended")
        #expect(try await fixture.meStatus(owner.access) == 200)

        // Revoking a session by id ends it the same way.
        #expect(try await fixture.send(.DELETE, "/v1/auth/sessions/\(owner.sessionID)", token: owner.access).status == 204)
        #expect(try await fixture.meStatus(owner.access) == 401)

        // The same email may exist in another tenant; a wrong password or tenant says nothing about which.
        let other = try await fixture.signup("Other", email: "ann@example.com")
        #expect(other.tenantID != owner.tenantID)
        let wrong = try await fixture.post(
            "/v1/auth/login", #"{"tenant":"\#(owner.tenantID)","email":"ann@example.com","password":"not the password"}"#)
        #expect(wrong.status == 401 && wrong.code == "invalid_credentials")
        let unknown = try await fixture.post(
            "/v1/auth/login", #"{"tenant":"tn_aaaaaaaaaaaaaaaaaaaa","email":"ann@example.com","password":"whatever12"}"#)
        #expect(unknown.status == 401 && unknown.code == "invalid_credentials")
        // API keys are not users.
        #expect(
            try await fixture.post("/v1/signup", #"{"tenant_name":"Dup","email":"bad","password":"correct horse battery"}"#).code
                == "invalid_email")
        #expect(
            try await fixture.post("/v1/signup", #"{"tenant_name":"Dup","email":"x@y.io","password":"short"}"#).code == "invalid_password")
    }

    @Test func refreshTokensRotateAndReuseRevokesTheFamily() async throws {
        let fixture = try await IdentityFixture.start()
        let first = try await fixture.signup("Acme", email: "ann@example.com")
        let rotated = try IdentityFixture.session(try await fixture.post("/v1/auth/refresh", #"{"refresh_token":"\#(first.refresh)"}"#))
        #expect(rotated.refresh != first.refresh && rotated.sessionID == first.sessionID)
        #expect(try await fixture.meStatus(rotated.access) == 200)
        // The spent token presented again: the whole session ends, its newest tokens too.
        let reuse = try await fixture.post("/v1/auth/refresh", #"{"refresh_token":"\#(first.refresh)"}"#)
        #expect(reuse.status == 401 && reuse.code == "refresh_token_reused")
        #expect(try await fixture.meStatus(rotated.access) == 401)
        #expect(try await fixture.meStatus(first.access) == 401)
        #expect(try await fixture.post("/v1/auth/refresh", #"{"refresh_token":"\#(rotated.refresh)"}"#).status == 401)
        // Made-up refresh tokens end nothing.
        let fresh = try await fixture.login(first.tenantID, email: "ann@example.com")
        let forged = "rt.\(fresh.sessionID).aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        #expect(try await fixture.post("/v1/auth/refresh", #"{"refresh_token":"\#(forged)"}"#).code == "unauthenticated")
        #expect(try await fixture.meStatus(fresh.access) == 200)
    }

    @Test func forgedAndStaleAccessTokensAreRefused() async throws {
        let fixture = try await IdentityFixture.start()
        let owner = try await fixture.signup("Acme", email: "ann@example.com")
        let parts = owner.access.split(separator: ".")
        let header = ForgedToken.decode(parts[0])
        let payload = ForgedToken.decode(parts[1])
        let kid = try #require(header["kid"] as? String)
        let secret = try await #require(try fixture.signingKeys()[kid])
        // The real key signs a token the server accepts: the forging helper is sound.
        #expect(try await fixture.meStatus(ForgedToken.hs256(header: header, payload: payload, secret: secret)) == 200)

        var elevated = payload
        elevated["roles"] = ["owner", "admin"]
        elevated["sub"] = "usr_aaaaaaaaaaaaaaaaaaaa"
        let now = Int(Date().timeIntervalSince1970)
        var expired = payload
        expired["iat"] = now - 7_200
        expired["exp"] = now - 3_600
        var future = payload
        future["iat"] = now + 3_600
        future["exp"] = now + 7_200
        var notBefore = payload
        notBefore["nbf"] = now + 3_600
        let refused: [(String, String)] = [
            ("alg none", ForgedToken.unsigned(header: ["alg": "none", "typ": "JWT", "kid": kid], payload: payload)),
            (
                "alg none, signature kept",
                ForgedToken.unsigned(header: ["alg": "none", "typ": "JWT", "kid": kid], payload: payload) + String(parts[2])
            ),
            ("EdDSA key confusion", try ForgedToken.ed25519(header: ["alg": "EdDSA", "typ": "JWT", "kid": kid], payload: payload)),
            (
                "RS256 header, HMAC signature",
                ForgedToken.hs256(header: ["alg": "RS256", "typ": "JWT", "kid": kid], payload: payload, secret: secret)
            ),
            ("HS512 header", ForgedToken.hs256(header: ["alg": "HS512", "typ": "JWT", "kid": kid], payload: payload, secret: secret)),
            ("another HMAC secret", ForgedToken.hs256(header: header, payload: payload, secret: Array(repeating: 7, count: 32))),
            (
                "unknown kid",
                ForgedToken.hs256(header: ["alg": "HS256", "typ": "JWT", "kid": "kid_nosuchkeyxxxxxxx"], payload: payload, secret: secret)
            ),
            ("no kid", ForgedToken.hs256(header: ["alg": "HS256", "typ": "JWT"], payload: payload, secret: secret)),
            ("tampered payload", parts[0] + "." + ForgedToken.base64URL(ForgedToken.json(elevated)) + "." + parts[2]),
            ("tampered signature", parts[0] + "." + parts[1] + "." + String(parts[2].reversed())),
            ("expired", ForgedToken.hs256(header: header, payload: expired, secret: secret)),
            ("issued in the future", ForgedToken.hs256(header: header, payload: future, secret: secret)),
            ("not before a future time", ForgedToken.hs256(header: header, payload: notBefore, secret: secret)),
            ("garbage", "eyJ.not.a-token"),
        ]
        for (name, token) in refused {
            let reply = try await fixture.send(.GET, "/v1/me", token: token)
            #expect(reply.status == 401, "\(name): \(reply.status) \(reply.body)")
            #expect(reply.headers.first(name: "WWW-Authenticate") != nil, "\(name)")
        }
        #expect(
            try await fixture.send(.GET, "/v1/me", token: ForgedToken.hs256(header: header, payload: expired, secret: secret)).code
                == "token_expired")
        // Nothing above disturbed the real session.
        #expect(try await fixture.meStatus(owner.access) == 200)
    }

    @Test func tenantsCannotReachEachOthersData() async throws {
        let fixture = try await IdentityFixture.start()
        let a = try await fixture.signup("A", email: "a@example.com")
        let b = try await fixture.signup("B", email: "b@example.com")
        #expect(try await fixture.post("/v1/collections", #"{"name":"private"}"#, token: b.access).status == 201)
        #expect(try await fixture.post("/v1/collections/private/documents", #"{"id":"secret-doc","x":1}"#, token: b.access).status == 201)
        #expect(try await fixture.send(.GET, "/v1/collections/private", token: a.access).status == 404)
        #expect(try await fixture.send(.GET, "/v1/collections/private/documents/secret-doc", token: a.access).status == 404)
        #expect(try await fixture.post("/v1/collections", #"{"name":"private"}"#, token: a.access).status == 201)
        #expect(try await fixture.send(.GET, "/v1/collections/private/documents/secret-doc", token: a.access).status == 404)
        #expect(try await fixture.send(.GET, "/v1/users/\(b.userID)", token: a.access).status == 404)
        #expect(try await fixture.send(.DELETE, "/v1/auth/sessions/\(b.sessionID)", token: a.access).status == 404)
        #expect(try await fixture.meStatus(b.access) == 200)
    }

    @Test func rolesPermissionsAndKeyScopes() async throws {
        let fixture = try await IdentityFixture.start()
        let owner = try await fixture.signup("Acme", email: "owner@example.com")
        #expect(try await fixture.post("/v1/collections", #"{"name":"notes"}"#, token: owner.access).status == 201)
        #expect(try await fixture.post("/v1/collections", #"{"name":"payroll"}"#, token: owner.access).status == 201)
        let created = try await fixture.post(
            "/v1/users", #"{"email":"vic@example.com","password":"viewer password","roles":["viewer"]}"#, token: owner.access)
        #expect(created.status == 201)
        let viewer = try await fixture.login(owner.tenantID, email: "vic@example.com", password: "viewer password")
        #expect(try await fixture.send(.GET, "/v1/collections/notes", token: viewer.access).status == 200)
        let write = try await fixture.post("/v1/collections/notes/documents", "{}", token: viewer.access)
        #expect(write.status == 403 && write.code == "forbidden")
        #expect(try await fixture.send(.GET, "/v1/users", token: viewer.access).status == 403)
        #expect(
            try await fixture.post("/v1/users", #"{"email":"vic@example.com","password":"another password"}"#, token: owner.access).code
                == "email_taken")

        // A custom role, assigned: the next request sees it.
        #expect(
            try await fixture.post(
                "/v1/roles", #"{"name":"writer","permissions":["documents:read","documents:write"]}"#, token: owner.access
            ).status == 201)
        #expect(
            try await fixture.post("/v1/roles", #"{"name":"bad","permissions":["platform:admin"]}"#, token: owner.access).code
                == "invalid_permission")
        let userID = try #require(created.string("id"))
        #expect(try await fixture.send(.PATCH, "/v1/users/\(userID)", token: owner.access, body: #"{"roles":["writer"]}"#).status == 200)
        #expect(try await fixture.post("/v1/collections/notes/documents", "{}", token: viewer.access).status == 201)
        #expect(try await fixture.send(.DELETE, "/v1/roles/writer", token: owner.access).code == "role_in_use")
        #expect(
            try await fixture.post("/v1/roles", #"{"name":"temporary","permissions":["documents:read"]}"#, token: owner.access).status
                == 201)
        #expect(try await fixture.send(.DELETE, "/v1/roles/temporary", token: owner.access).status == 204)
        #expect(try await fixture.send(.DELETE, "/v1/roles/temporary", token: owner.access).code == "role_not_found")

        // API keys: a role or a permission subset, and a collection scope.
        let scoped = try await fixture.post(
            "/v1/keys", #"{"name":"notes only","permissions":["documents:read","documents:write"],"collections":["notes"]}"#,
            token: owner.access)
        let key = try #require(scoped.string("key"), "\(scoped.body)")
        #expect(try await fixture.post("/v1/collections/notes/documents", "{}", token: key).status == 201)
        let outside = try await fixture.post("/v1/collections/payroll/documents", "{}", token: key)
        #expect(outside.status == 403 && outside.code == "forbidden")
        #expect(try await fixture.send(.GET, "/v1/collections/payroll/documents/x", token: key).status == 403)
        #expect(try await fixture.send(.GET, "/v1/collections", token: key).status == 403)
        #expect(try await fixture.send(.DELETE, "/v1/collections/notes", token: key).status == 403)
        let billing = try #require(
            try await fixture.post("/v1/keys", #"{"name":"billing","role":"billing"}"#, token: owner.access).string("key"))
        #expect(try await fixture.send(.GET, "/v1/collections", token: billing).status == 403)
        #expect(
            try await fixture.post("/v1/keys", #"{"name":"x","role":"writer","permissions":["documents:read"]}"#, token: owner.access).code
                == "invalid_permission")
        #expect(try await fixture.post("/v1/keys", #"{"name":"x"}"#, token: viewer.access).status == 403)
    }

    @Test func nobodyGrantsMoreThanTheyHold() async throws {
        let fixture = try await IdentityFixture.start()
        let owner = try await fixture.signup("Acme", email: "owner@example.com")
        #expect(
            try await fixture.post(
                "/v1/users", #"{"email":"adm@example.com","password":"admin password","roles":["admin"]}"#,
                token: owner.access
            ).status == 201)
        let admin = try await fixture.login(owner.tenantID, email: "adm@example.com", password: "admin password")
        // An admin holds everything but billing:read, so cannot hand out owner or billing.
        let refusals: [(HTTPMethod, String, String)] = [
            (.POST, "/v1/users", #"{"email":"x@example.com","password":"some password","roles":["owner"]}"#),
            (.PATCH, "/v1/users/\(admin.userID)", #"{"roles":["owner"]}"#),
            (.POST, "/v1/keys", #"{"name":"k","role":"billing"}"#),
            (.POST, "/v1/keys", #"{"name":"k","permissions":["billing:read"]}"#),
            (.POST, "/v1/roles", #"{"name":"payer","permissions":["billing:read"]}"#),
            (.PATCH, "/v1/users/\(owner.userID)", #"{"status":"suspended"}"#),
            (.DELETE, "/v1/users/\(owner.userID)", ""),
        ]
        for (method, path, body) in refusals {
            let reply = try await fixture.send(method, path, token: admin.access, body: body.isEmpty ? nil : body)
            #expect(reply.status == 403 && reply.code == "forbidden", "\(method) \(path) \(body): \(reply.body)")
        }
        #expect(try await fixture.post("/v1/keys", #"{"name":"k","role":"developer"}"#, token: admin.access).status == 201)
        // The last active owner stays.
        #expect(try await fixture.send(.DELETE, "/v1/users/\(owner.userID)", token: owner.access).code == "last_owner")
        #expect(
            try await fixture.send(.PATCH, "/v1/users/\(owner.userID)", token: owner.access, body: #"{"roles":["admin"]}"#).code
                == "last_owner")
        #expect(
            try await fixture.send(.PATCH, "/v1/users/\(admin.userID)", token: owner.access, body: #"{"roles":["owner"]}"#).status == 200)
        #expect(
            try await fixture.send(.PATCH, "/v1/users/\(owner.userID)", token: owner.access, body: #"{"roles":["admin"]}"#).status == 200)
        // A role that only manages keys cannot mint a key that does more.
        #expect(
            try await fixture.post("/v1/roles", #"{"name":"keymaker","permissions":["keys:manage"]}"#, token: admin.access).status == 201)
        #expect(
            try await fixture.post(
                "/v1/users", #"{"email":"km@example.com","password":"keymaker pass","roles":["keymaker"]}"#,
                token: admin.access
            ).status == 201)
        let keymaker = try await fixture.login(owner.tenantID, email: "km@example.com", password: "keymaker pass")
        #expect(try await fixture.post("/v1/keys", #"{"name":"k","role":"developer"}"#, token: keymaker.access).code == "forbidden")
        // A key limited to some collections cannot use routes beyond them, key management included.
        #expect(try await fixture.post("/v1/collections", #"{"name":"notes"}"#, token: admin.access).status == 201)
        let scoped = try #require(
            try await fixture.post(
                "/v1/keys", #"{"name":"s","permissions":["keys:manage","documents:read"],"collections":["notes"]}"#,
                token: admin.access
            ).string("key"))
        #expect(
            try await fixture.post("/v1/keys", #"{"name":"t","permissions":["documents:read"],"collections":["notes"]}"#, token: scoped)
                .code == "forbidden")
    }

    @Test func suspendedUsersAndTenantsAreRefused() async throws {
        let fixture = try await IdentityFixture.start()
        let admin = try fixture.server.adminKey
        let owner = try await fixture.signup("Acme", email: "owner@example.com")
        let member = try await fixture.post(
            "/v1/users", #"{"email":"dev@example.com","password":"developer pass","roles":["developer"]}"#, token: owner.access)
        let memberID = try #require(member.string("id"))
        let dev = try await fixture.login(owner.tenantID, email: "dev@example.com", password: "developer pass")
        #expect(
            try await fixture.send(.PATCH, "/v1/users/\(memberID)", token: owner.access, body: #"{"status":"suspended"}"#).status == 200)
        let suspended = try await fixture.send(.GET, "/v1/collections", token: dev.access)
        #expect(suspended.status == 403 && suspended.code == "user_suspended")
        #expect(try await fixture.post("/v1/auth/refresh", #"{"refresh_token":"\#(dev.refresh)"}"#).code == "user_suspended")
        let login = try await fixture.post(
            "/v1/auth/login", #"{"tenant":"\#(owner.tenantID)","email":"dev@example.com","password":"developer pass"}"#)
        #expect(login.status == 403 && login.code == "user_suspended")

        let key = try #require(try await fixture.post("/v1/keys", #"{"name":"k","role":"developer"}"#, token: owner.access).string("key"))
        #expect(
            try await fixture.send(.PATCH, "/v1/tenants/\(owner.tenantID)", token: admin, body: #"{"status":"suspended"}"#).status == 200)
        let byUser = try await fixture.send(.GET, "/v1/collections", token: owner.access)
        #expect(byUser.status == 403 && byUser.code == "tenant_suspended")
        #expect(try await fixture.send(.GET, "/v1/collections", token: key).code == "tenant_suspended")
        #expect(
            try await fixture.post(
                "/v1/auth/login", #"{"tenant":"\#(owner.tenantID)","email":"owner@example.com","password":"correct horse battery"}"#
            ).code == "tenant_suspended")
        #expect(try await fixture.send(.PATCH, "/v1/tenants/\(owner.tenantID)", token: admin, body: #"{"status":"active"}"#).status == 200)
        #expect(try await fixture.send(.GET, "/v1/collections", token: owner.access).status == 200)
    }

    @Test func passwordChangeEndsOtherSessions() async throws {
        let fixture = try await IdentityFixture.start()
        let first = try await fixture.signup("Acme", email: "ann@example.com")
        let second = try await fixture.login(first.tenantID, email: "ann@example.com")
        let wrong = try await fixture.post(
            "/v1/me/password", #"{"current_password":"nope nope nope","new_password":"a new password"}"#, token: first.access)
        #expect(wrong.status == 401 && wrong.code == "invalid_credentials")
        #expect(
            try await fixture.post(
                "/v1/me/password", #"{"current_password":"correct horse battery","new_password":"a new password"}"#,
                token: first.access
            ).status == 204)
        #expect(try await fixture.meStatus(first.access) == 200)
        #expect(try await fixture.meStatus(second.access) == 401)
        #expect(try await fixture.post("/v1/auth/refresh", #"{"refresh_token":"\#(second.refresh)"}"#).status == 401)
        #expect(
            try await fixture.post(
                "/v1/auth/login", #"{"tenant":"\#(first.tenantID)","email":"ann@example.com","password":"correct horse battery"}"#
            ).status == 401)
        _ = try await fixture.login(first.tenantID, email: "ann@example.com", password: "a new password")
    }

    @Test func failedSignInsAreThrottled() async throws {
        let fixture = try await IdentityFixture.start(identity: #""password_scrypt_log2_n": 10, "login_failures_per_account_max": 3"#)
        let owner = try await fixture.signup("Acme", email: "ann@example.com")
        let body = { (password: String) in #"{"tenant":"\#(owner.tenantID)","email":"ann@example.com","password":"\#(password)"}"# }
        for _ in 0..<3 { #expect(try await fixture.post("/v1/auth/login", body("wrong password")).status == 401) }
        let throttled = try await fixture.post("/v1/auth/login", body("correct horse battery"))
        #expect(throttled.status == 429 && throttled.code == "too_many_attempts")
        #expect(Int(throttled.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
        // Another account is not affected.
        let other = try await fixture.signup("Other", email: "bob@example.com")
        _ = try await fixture.login(other.tenantID, email: "bob@example.com")
    }

    @Test func failedSignInsAreThrottledPerAddress() async throws {
        let fixture = try await IdentityFixture.start(identity: #""password_scrypt_log2_n": 10, "login_failures_per_address_max": 4"#)
        let owner = try await fixture.signup("Acme", email: "ann@example.com")
        // Guessing across many accounts from one address: each account stays under its own limit.
        for index in 0..<4 {
            let guess = #"{"tenant":"\#(owner.tenantID)","email":"user\#(index)@example.com","password":"guess guess"}"#
            #expect(try await fixture.post("/v1/auth/login", guess).status == 401)
        }
        let throttled = try await fixture.post(
            "/v1/auth/login", #"{"tenant":"\#(owner.tenantID)","email":"ann@example.com","password":"correct horse battery"}"#)
        #expect(throttled.status == 429 && throttled.headers.first(name: "Retry-After") != nil)
    }

    @Test func keyRotationRestartAndSignupSwitch() async throws {
        let fixture = try await IdentityFixture.start(identity: "", arguments: ["--signup", "on"])
        let admin = try fixture.server.adminKey
        // The default scrypt cost, end to end.
        let before = try await fixture.signup("Acme", email: "ann@example.com")
        let rotated = try await fixture.post("/v1/auth/signing-keys/rotate", "", token: admin)
        #expect(rotated.status == 200)
        #expect(try await fixture.meStatus(before.access) == 200)
        let after = try await fixture.login(before.tenantID, email: "ann@example.com")
        let kid = { (token: String) in ForgedToken.decode(token.split(separator: ".")[0])["kid"] as? String }
        #expect(kid(after.access) == rotated.string("kid") && kid(before.access) != kid(after.access))
        fixture.server.stop()
        try await fixture.server.start(arguments: ["--config", fixture.configPath, "--signup", "off"])
        #expect(try await fixture.meStatus(before.access) == 200)
        #expect(try await fixture.meStatus(after.access) == 200)
        let refused = try await fixture.post(
            "/v1/signup", #"{"tenant_name":"X","email":"x@example.com","password":"correct horse battery"}"#)
        #expect(refused.status == 403 && refused.code == "signup_disabled")
    }
}
