import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small HTTP client for tests: raw bodies in, status/headers/JSON out.
enum HTTP {
    struct Reply: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }

        var code: String? { json["code"] as? String }
        var contentType: String { headers.first(name: "Content-Type") ?? "" }
        func string(_ key: String) -> String? { json[key] as? String }
    }

    /// Longest a test waits for one answer: far beyond any request's work, so only a hang hits it.
    static let requestTimeoutSeconds: Int64 = 30
    /// For requests that hash a password at the default scrypt cost (32 MiB, tens of ms in a
    /// release build, seconds in a debug one), which a 2-core machine running the whole suite
    /// can slow past `requestTimeoutSeconds`.
    static let passwordHashingTimeoutSeconds: Int64 = 120

    static func send(
        _ method: HTTPMethod, _ url: String, key: String? = nil, body: String? = nil,
        headers: [(String, String)] = [], contentType: String? = "application/json", timeoutSeconds: Int64 = requestTimeoutSeconds
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeoutSeconds))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}

/// A running server with one tenant, a developer key, and helpers to call it.
struct TenantFixture {
    let server: ServerProcess
    let tenantID: String
    let key: String

    static func make(server: ServerProcess, name: String = "Acme", role: String? = nil) async throws -> TenantFixture {
        let admin = try server.adminKey
        let tenant = try await HTTP.send(.POST, server.baseURL + "/v1/tenants", key: admin, body: #"{"name":"\#(name)"}"#)
        guard tenant.status == 201, let tenantID = tenant.string("id") else { throw TestFailure("tenant: \(tenant.body)") }
        let roleField = role.map { #","role":"\#($0)""# } ?? ""
        let key = try await HTTP.send(
            .POST, server.baseURL + "/v1/tenants/\(tenantID)/keys", key: admin, body: #"{"name":"test"\#(roleField)}"#)
        guard key.status == 201, let secret = key.string("key") else { throw TestFailure("key: \(key.body)") }
        return TenantFixture(server: server, tenantID: tenantID, key: secret)
    }

    func send(
        _ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = [],
        contentType: String? = "application/json"
    ) async throws -> HTTP.Reply {
        try await HTTP.send(method, server.baseURL + path, key: key, body: body, headers: headers, contentType: contentType)
    }
}
