import AerolithPlatform
import AerolithServer
import AerolithStorage
import Foundation
import Logging

/// What authenticating a request with an access token costs: checking the token (the JWT's
/// signature and times, then the session and user) on every request, against a document get
/// through the whole server stack with an API key; and what signing in costs with the
/// password KDF's production parameters.
enum AuthBenchmark {
    static let authenticateIterations = 100_000
    static let freshTokens = 2_000
    static let loginSamples = 5
    static let stackSegmentCount = 20
    static let stackSegmentRequests = 1_000
    static let stackWarmUpRequests = 2_000
    static let targetAddedFraction = 0.10
    static let password = "correct horse battery staple"

    static func run() async throws {
        let directory = try temporaryDirectory("auth")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/direct", withIntermediateDirectories: true)
        let store = try SQLiteDocumentStore(directory: directory + "/direct")
        let platform = try await Platform(store: store, logger: Logger(label: "bench"))
        let parameters = platform.identity.passwordHashing
        print("== auth: access tokens (HS256 JWT + session check) against a document get; sign-in with scrypt ==")

        let signup = try await platform.signup(
            tenantName: "bench", email: "bench@example.com", password: password, plan: nil, displayName: nil,
            clientAddress: nil)
        var logins: [Double] = []
        for _ in 0..<loginSamples {
            let start = ContinuousClock.now
            _ = try await platform.login(tenantID: signup.tenant.id, email: "bench@example.com", password: password, clientAddress: nil)
            logins.append(nanoseconds(since: start))
        }
        let login = logins.sorted()[logins.count / 2]

        // Every request after a token's first: the verified token is remembered, the session and user are checked.
        let token = signup.tokens.accessToken
        _ = try await platform.authenticate(accessToken: token)
        var start = ContinuousClock.now
        for _ in 0..<authenticateIterations { _ = try await platform.authenticate(accessToken: token) }
        let perRequest = nanoseconds(since: start) / Double(authenticateIterations)

        // An API key's check, to take authentication out of the document get below.
        let (_, keySecret) = try await platform.createKey(tenantID: signup.tenant.id, name: "bench", role: "developer")
        _ = try await platform.authenticate(secret: keySecret)
        start = ContinuousClock.now
        for _ in 0..<authenticateIterations { _ = try await platform.authenticate(secret: keySecret) }
        let keyCheck = nanoseconds(since: start) / Double(authenticateIterations)

        // A token's first request: full jwt-kit verification (new tokens minted by refreshing).
        var tokens: [String] = []
        var refresh = signup.tokens.refreshToken
        for _ in 0..<freshTokens {
            let issued = try await platform.refresh(refresh)
            tokens.append(issued.accessToken)
            refresh = issued.refreshToken
        }
        start = ContinuousClock.now
        for fresh in tokens { _ = try await platform.authenticate(accessToken: fresh) }
        let firstUse = nanoseconds(since: start) / Double(freshTokens)

        let (withKey, withToken) = try await stack(directory: directory)
        // The same get unauthenticated: the stack's get with a key, less the key's check.
        let unauthenticated = withKey - keyCheck
        print("                                      ns/request")
        print("document get, API key (stack)      \(String(format: "%10.1f", withKey))")
        print(
            "document get, access token (stack) \(String(format: "%10.1f", withToken))   adds \(percent(withToken / withKey - 1)) to a get with an API key"
        )
        print("API key check, every request       \(String(format: "%10.1f", keyCheck))")
        print("document get, unauthenticated      \(String(format: "%10.1f", unauthenticated))   (the get with a key, less the key check)")
        print(
            "token check, every request         \(String(format: "%10.1f", perRequest))   adds \(percent(perRequest / unauthenticated)) to an unauthenticated get (target <= \(percent(targetAddedFraction)))"
        )
        print(
            "token check, first use of a token  \(String(format: "%10.1f", firstUse))   \(percent(firstUse / unauthenticated)) of an unauthenticated get (once per token)"
        )
        print(
            "sign-in (median of \(loginSamples))              \(String(format: "%10.1f", login / 1e6)) ms   scrypt N=2^\(parameters.log2N) r=\(parameters.blockSize) p=\(parameters.parallelism), \(parameters.memoryBytes / 1_048_576) MiB"
        )
    }

    /// The same document read through the server stack in alternating segments, with a
    /// tenant API key and with a signed-in user's access token; the best segment of each.
    static func stack(directory: String) async throws -> (withKey: Double, withToken: Double) {
        var configuration = ServerConfiguration(dataDirectory: directory + "/stack")
        configuration.pluginDirectories = []
        let app = try await AerolithServer.makeApplication(configuration: configuration, logger: Logger(label: "bench"))
        let server = try await InProcessServer(app, dataDirectory: directory + "/stack")
        let signup = try await server.send(
            .post, "/v1/signup", key: nil,
            body: #"{"tenant_name":"bench","email":"bench@example.com","password":"\#(password)"}"#)
        let token = try jsonField(signup.body, "access_token")
        let key = try jsonField(try await server.send(.post, "/v1/keys", key: token, body: #"{"name":"bench"}"#).body, "key")
        _ = try await server.send(.post, "/v1/collections", key: key, body: #"{"name":"items"}"#)
        _ = try await server.send(.post, "/v1/collections/items/documents", key: key, body: #"{"id":"fixed","name":"bench","age":42}"#)
        let path = "/v1/collections/items/documents/fixed"
        _ = try await server.getLoop(stackWarmUpRequests, path: path, key: key)
        _ = try await server.getLoop(stackWarmUpRequests, path: path, key: token)
        var withKey = Double.infinity
        var withToken = Double.infinity
        for segment in 0..<stackSegmentCount {
            let keyFirst = segment % 2 == 0
            for useKey in [keyFirst, !keyFirst] {
                let time = try await server.getLoop(stackSegmentRequests, path: path, key: useKey ? key : token)
                if useKey { withKey = min(withKey, time) } else { withToken = min(withToken, time) }
            }
        }
        return (withKey, withToken)
    }

}
