import AerolithJSON
import ArgumentParser
import Foundation

/// Where a password comes from: standard input (`--password-stdin`), `AEROLITH_PASSWORD`, or a
/// prompt when standard input is a terminal. Never a flag value, which would show in `ps`.
struct PasswordOptions: ParsableArguments {
    @Flag(help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    /// The next password: the next line of standard input with `--password-stdin`, else the
    /// environment variable, else a prompt.
    func password(prompt: String = "Password: ", environment variable: String = "AEROLITH_PASSWORD") throws -> String {
        if passwordStdin {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CLIError(.invalidArgument, "no password on standard input")
            }
            return line
        }
        if let password = ProcessInfo.processInfo.environment[variable], !password.isEmpty { return password }
        guard isatty(STDIN_FILENO) == 1, let typed = getpass(prompt) else {
            throw CLIError(.invalidArgument, "give the password with --password-stdin or \(variable)")
        }
        return String(cString: typed)
    }
}

/// Stores the session a sign-in or signup answered with, and says who is signed in.
func storeSession(_ reply: APIClient.Reply, url: String, options: ClientOptions) throws {
    guard let credentials = Credentials(url: url, tokens: reply.body) else {
        throw CLIError(.invalidResponse, "the answer holds no tokens")
    }
    try credentials.save()
    if options.json {
        if reply.body?.objectValue?["tenant"] != nil { return } // signup prints the tenant it created
        print(
            JSONWriter.string(
                .object(
                    JSONObject(members: [
                        .init(key: "tenant_id", value: .string(credentials.tenantID)),
                        .init(key: "user_id", value: .string(credentials.userID)),
                        .init(key: "session_id", value: .string(credentials.sessionID)),
                        .init(key: "credentials_path", value: .string(Credentials.path)),
                    ]))))
        return
    }
    print(
        "signed in to tenant \(credentials.tenantID) as \(credentials.userID) (session \(credentials.sessionID)); credentials in \(Credentials.path)"
    )
}

struct SignupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signup", abstract: "Create a tenant and its owner on a server that allows signup, and sign in."
    )
    @Option(help: "The new tenant's name.") var tenantName: String
    @Option(help: "The new tenant's unique slug, to sign in with (default: derived from the name).") var tenantSlug: String?
    @Option(help: "The owner's email.") var email: String
    @Option(help: "starter (default), professional or enterprise.") var plan: String?
    @OptionGroup var password: PasswordOptions
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await runClient {
            let client = try options.anonymousClient()
            var body = JSONObject(members: [
                .init(key: "tenant_name", value: .string(tenantName)), .init(key: "email", value: .string(email)),
                .init(key: "password", value: .string(try password.password())),
            ])
            if let plan { body.set("plan", .string(plan)) }
            if let tenantSlug { body.set("tenant_slug", .string(tenantSlug)) }
            let reply = try await client.send(.POST, "/v1/signup", body: .object(body))
            try storeSession(reply, url: client.baseURL, options: options)
            if options.json, let tenant = reply.body?.objectValue?["tenant"] { print(JSONWriter.string(tenant)) }
        }
    }
}

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "Sign in and out as a tenant's user; later commands use the session.",
        subcommands: [Login.self, Tenants.self, Logout.self, Whoami.self, Sessions.self, Revoke.self, Refresh.self, RotateSigningKey.self]
    )

    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign in with email and password; the session is stored with mode 0600.")
        @Option(help: "The tenant's id or slug (aerolith auth tenants finds them).") var tenant: String
        @Option(help: "The user's email.") var email: String
        @OptionGroup var password: PasswordOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.anonymousClient()
                let body = JSONObject(members: [
                    .init(key: "tenant", value: .string(tenant)), .init(key: "email", value: .string(email)),
                    .init(key: "password", value: .string(try password.password())),
                ])
                try storeSession(try await client.send(.POST, "/v1/auth/login", body: .object(body)), url: client.baseURL, options: options)
            }
        }
    }

    struct Logout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End the stored session on the server and forget it.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                guard try Credentials.load() != nil else { throw CLIError(.missingKey, "not signed in") }
                do {
                    _ = try await options.sessionClient().send(.POST, "/v1/auth/logout")
                } catch let error as CLIError where ["session_ended", "unauthenticated", "refresh_token_reused"].contains(error.code) {
                    // Already ended on the server: forgetting it locally is all that is left.
                }
                Credentials.remove()
                options.done("signed out", [("signed_out", .bool(true))])
            }
        }
    }

    struct Whoami: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the signed-in user, tenant and permissions, and which credential was used and why.",
            discussion: "Credentials are tried in this order: --key, AEROLITH_KEY, the login stored by aerolith auth login."
        )
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.client()
                let credential = client.credential ?? .storedLogin(path: Credentials.path)
                let reply: APIClient.Reply
                do {
                    reply = try await client.send(.GET, "/v1/me")
                } catch let error as CLIError where error.code == "user_required" && credential.isKey {
                    throw CLIError(
                        serverCode: error.code,
                        message: """
                            auth whoami shows a signed-in user, but the request used \(credential.summary), which is an API key, \
                            not a user: \(credential.reason)
                            """, status: error.httpStatus ?? 403)
                }
                guard case .object(var me)? = reply.body else { throw CLIError(.invalidResponse, "GET /v1/me answered no object") }
                me.set("credential", credential.json)
                options.output(.object(me)) { me in
                    let user = me.objectValue?["user"]
                    let permissions = Table.items(me, "permissions").compactMap(\.stringValue).joined(separator: " ")
                    return Table.render(
                        ["USER", "EMAIL", "TENANT", "ROLES", "PERMISSIONS"],
                        [
                            [
                                Table.text(user, "id"), Table.text(user, "email"), Table.text(user, "tenant_id"),
                                Table.items(user ?? .null, "roles").compactMap(\.stringValue).joined(separator: ","), permissions,
                            ]
                        ]) + "\n\ncredential: \(credential.summary) (\(credential.reason))"
                }
            }
        }
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Exchange the stored session's refresh token for new tokens now (commands also do this when the access token expires)."
        )
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                guard try Credentials.load() != nil else {
                    throw CLIError(.missingKey, "not signed in (no login stored at \(Credentials.path))")
                }
                let client = try options.sessionClient()
                guard let session = client.session else { throw CLIError(.missingKey, "not signed in") }
                try await session.refresh(client)
                let expires = session.credentials.expiresAt
                options.done(
                    "refreshed the session \(session.credentials.sessionID); the access token expires at \(expires) (Unix time)",
                    [
                        ("refreshed", .bool(true)), ("session_id", .string(session.credentials.sessionID)),
                        ("expires_at", .integer(Int64(expires))),
                    ])
            }
        }
    }

    struct RotateSigningKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-signing-key",
            abstract:
                "Sign new access tokens with a new key; tokens signed before stay valid until they expire (needs the platform admin key)."
        )
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.POST, "/v1/auth/signing-keys/rotate")
                options.output(reply.body) { "new access tokens are signed with key \(Table.text($0, "kid"))" }
            }
        }
    }

    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the signed-in user's active sessions.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/auth/sessions")
                options.output(reply.body) { body in
                    Table.render(
                        ["ID", "CURRENT", "CREATED", "LAST USED", "EXPIRES"],
                        Table.items(body, "sessions").map { session in
                            ["id", "current", "created_at", "last_used_at", "expires_at"].map { Table.text(session, $0) }
                        })
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End one of the signed-in user's sessions.")
        @Argument(help: "The session id.") var session: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                _ = try await options.client().send(.DELETE, "/v1/auth/sessions/\(session.pathEscaped)")
                options.done("revoked \(session)", [("revoked", .bool(true)), ("session_id", .string(session))])
            }
        }
    }
}
