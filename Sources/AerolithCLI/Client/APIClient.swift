import AerolithJSON
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Where and as whom client commands talk to the server: `--url`/`AEROLITH_URL` and
/// `--key`/`AEROLITH_KEY`.
struct APIClient {
    static let defaultURL = "http://127.0.0.1:8080"
    static let requestTimeoutSeconds: Int64 = 30
    static let responseBodyBytesMax = 64 * 1_048_576
    static let connectTimeoutSeconds: Int64 = 10
    /// Deepest JSON accepted in a server response; documents are at most 32 deep, envelopes add 2.
    static let responseDepthMax = 64

    /// One client for the process. A CLI makes one attempt per request: an unreachable server
    /// is reported at once rather than retried until the request times out.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(connectTimeoutSeconds)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    let baseURL: String
    let key: String?
    /// A signed-in session used when no key is given; refreshed transparently and saved.
    var session: SignedInSession?
    /// Where `baseURL` came from ("the --url flag"), named when the server cannot be reached.
    var urlSource: String
    /// Which credential is presented and why; named in refusals it causes. Nil: anonymous.
    var credential: CredentialSource?

    init(
        baseURL: String, key: String?, session: SignedInSession? = nil, credential: CredentialSource? = nil,
        urlSource: String = "the default"
    ) {
        self.baseURL = baseURL
        self.urlSource = urlSource
        self.key = key
        self.session = session
        self.credential = credential
    }

    struct Reply {
        let status: Int
        let headers: HTTPHeaders
        let body: JSONValue?
        /// The body as received (for answers that are not JSON, such as /metrics).
        var bytes: [UInt8] = []
    }

    /// Sends one request with the command's credential. A refusal the credential caused
    /// (401, 403) says which credential was used and why.
    func send(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil, headers: [(String, String)] = []) async throws -> Reply {
        do {
            return try await sendAuthenticated(method, path, body: body, headers: headers)
        } catch let error as CLIError where error.httpStatus == 401 || error.httpStatus == 403 {
            guard let credential else { throw error }
            throw error.adding(hint: credential.hint)
        }
    }

    private func sendAuthenticated(_ method: HTTPMethod, _ path: String, body: JSONValue?, headers: [(String, String)]) async throws
        -> Reply
    {
        guard let session else { return try await sendOnce(method, path, body: body, headers: headers, token: key) }
        if session.credentials.needsRefresh { try await session.refresh(self) }
        do {
            return try await sendOnce(method, path, body: body, headers: headers, token: session.credentials.accessToken)
        } catch let error as CLIError where error.code == "token_expired" {
            try await session.refresh(self)
            return try await sendOnce(method, path, body: body, headers: headers, token: session.credentials.accessToken)
        }
    }

    func sendOnce(_ method: HTTPMethod, _ path: String, body: JSONValue?, headers: [(String, String)], token: String?) async throws -> Reply
    {
        var request = HTTPClientRequest(url: baseURL.trimmingSuffix("/") + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await Self.http.execute(request, timeout: .seconds(Self.requestTimeoutSeconds))
            bytes = try await response.body.collect(upTo: Self.responseBodyBytesMax)
        } catch {
            throw CLIError(
                .connectionFailed,
                ConnectionFailure.message(
                    error, url: baseURL, urlSource: urlSource,
                    connectTimeoutSeconds: Self.connectTimeoutSeconds,
                    requestTimeoutSeconds: Self.requestTimeoutSeconds))
        }
        var json: JSONValue?
        if bytes.readableBytes > 0 {
            json = try? bytes.withUnsafeReadableBytes { raw throws(JSONError) in
                try JSONParser.parse(raw, limits: JSONLimits(depthMax: Self.responseDepthMax, sizeBytesMax: Self.responseBodyBytesMax))
            }
        }
        let status = Int(response.status.code)
        guard status < 400 else {
            let object = json?.objectValue
            throw CLIError(
                serverCode: object?["code"]?.stringValue ?? "http_\(status)",
                message: object?["detail"]?.stringValue ?? response.status.reasonPhrase, status: status)
        }
        return Reply(status: status, headers: response.headers, body: json, bytes: Array(buffer: bytes))
    }
}

/// The stored session a client uses, refreshed (and saved) when its access token expires.
final class SignedInSession {
    var credentials: Credentials

    init(_ credentials: Credentials) { self.credentials = credentials }

    func refresh(_ client: APIClient) async throws {
        try await Credentials.withLock {
            // Another command may have refreshed while this one waited: use its tokens.
            if let stored = try Credentials.load(), stored.sessionID == credentials.sessionID,
                stored.refreshToken != credentials.refreshToken
            {
                credentials = stored
                if !stored.needsRefresh { return }
            }
            let body = JSONValue.object(JSONObject(members: [.init(key: "refresh_token", value: .string(credentials.refreshToken))]))
            let reply: APIClient.Reply
            do {
                reply = try await client.sendOnce(.POST, "/v1/auth/refresh", body: body, headers: [], token: nil)
            } catch let error as CLIError where error.exitCode == ExitStatus.serverRefused {
                Credentials.remove()
                throw CLIError(
                    serverCode: error.code, message: "the stored session could not be refreshed; sign in again (\(error.message))",
                    status: 401)
            }
            guard let renewed = Credentials(url: credentials.url, tokens: reply.body) else {
                throw CLIError(.invalidResponse, "the server's refresh answer holds no tokens")
            }
            credentials = renewed
            try renewed.save()
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }

    /// Percent-encodes a path segment.
    var pathEscaped: String {
        addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? self
    }
}
