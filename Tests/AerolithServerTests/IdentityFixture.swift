import AerolithJSON
import AerolithStorage
import Crypto
import Foundation
import NIOHTTP1

/// A server for identity tests (cheap password hashing unless told otherwise) and helpers to
/// sign up, sign in, and call it with access tokens.
struct IdentityFixture {
    let server: ServerProcess
    let configPath: String

    /// scrypt N = 2^10 keeps the many sign-ins of the suite quick; one test runs the default cost.
    static func start(identity: String = #""password_scrypt_log2_n": 10"#, arguments: [String] = []) async throws -> IdentityFixture {
        let configPath = NSTemporaryDirectory() + "aerolith-identity-\(UUID().uuidString).json"
        try #"{"identity": {\#(identity)}}"#.write(toFile: configPath, atomically: true, encoding: .utf8)
        let server = try await ServerProcess(arguments: ["--config", configPath] + arguments)
        return IdentityFixture(server: server, configPath: configPath)
    }

    struct Session {
        let tenantID: String
        let userID: String
        let access: String
        let refresh: String
        let sessionID: String
    }

    func post(_ path: String, _ body: String, token: String? = nil) async throws -> HTTP.Reply {
        try await HTTP.send(.POST, server.baseURL + path, key: token, body: body, timeoutSeconds: HTTP.passwordHashingTimeoutSeconds)
    }

    func send(_ method: HTTPMethod, _ path: String, token: String?, body: String? = nil) async throws -> HTTP.Reply {
        try await HTTP.send(method, server.baseURL + path, key: token, body: body)
    }

    func signup(_ tenantName: String, email: String, password: String = "correct horse battery") async throws -> Session {
        let reply = try await post("/v1/signup", #"{"tenant_name":"\#(tenantName)","email":"\#(email)","password":"\#(password)"}"#)
        guard reply.status == 201 else { throw TestFailure("signup: \(reply.status) \(reply.body)") }
        return try Self.session(reply)
    }

    func login(_ tenantID: String, email: String, password: String = "correct horse battery") async throws -> Session {
        let reply = try await post("/v1/auth/login", #"{"tenant":"\#(tenantID)","email":"\#(email)","password":"\#(password)"}"#)
        guard reply.status == 200 else { throw TestFailure("login: \(reply.status) \(reply.body)") }
        return try Self.session(reply)
    }

    static func session(_ reply: HTTP.Reply) throws -> Session {
        guard let tenantID = reply.string("tenant_id"), let userID = reply.string("user_id"), let access = reply.string("access_token"),
            let refresh = reply.string("refresh_token"), let sessionID = reply.string("session_id")
        else {
            throw TestFailure("no tokens in \(reply.body)")
        }
        return Session(tenantID: tenantID, userID: userID, access: access, refresh: refresh, sessionID: sessionID)
    }

    /// The status of `GET /v1/me` with `token`.
    func meStatus(_ token: String) async throws -> Int {
        try await send(.GET, "/v1/me", token: token).status
    }

    /// The server's signing keys as stored (kid → secret), read from its storage directly.
    func signingKeys() async throws -> [String: [UInt8]] {
        let query = Query(limit: 100)
        let collection = try CollectionName("signing_keys")
        let system = try Placement(tablePrefix: "sys")
        let page: QueryPage
        if let url = server.storageArguments.last, TestStorage.isPostgres {
            let postgres = try await PostgresDocumentStore.open(url: url)
            do {
                page = try await postgres.query(query, in: collection, placement: system)
                await postgres.close()
            } catch {
                await postgres.close()
                throw error
            }
        } else {
            page = try await SQLiteDocumentStore(directory: server.dataDirectory).query(query, in: collection, placement: system)
        }
        var keys: [String: [UInt8]] = [:]
        for document in page.documents {
            guard let object = try JSONParser.parse(document.body).objectValue, let kid = object["kid"]?.stringValue,
                let secret = object["secret"]?.stringValue.flatMap({ Data(base64Encoded: $0) })
            else { continue }
            keys[kid] = Array(secret)
        }
        return keys
    }
}

/// Hand-made JWTs, to present the server with tokens it did not issue.
enum ForgedToken {
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(Array(bytes)).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ part: Substring) -> [String: Any] {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    /// header.payload signed with HMAC-SHA256 under `secret`.
    static func hs256(header: [String: Any], payload: [String: Any], secret: [UInt8]) -> String {
        let input = base64URL(json(header)) + "." + base64URL(json(payload))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: secret))
        return input + "." + base64URL(mac)
    }

    static func unsigned(header: [String: Any], payload: [String: Any]) -> String {
        base64URL(json(header)) + "." + base64URL(json(payload)) + "."
    }

    static func ed25519(header: [String: Any], payload: [String: Any]) throws -> String {
        let input = base64URL(json(header)) + "." + base64URL(json(payload))
        let signature = try Curve25519.Signing.PrivateKey().signature(for: Array(input.utf8))
        return input + "." + base64URL(signature)
    }
}
