import AerolithServer
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

/// The application `aerolith serve` runs, its responder called directly: middleware, router,
/// authentication, the route's guard, the handler, the response. No sockets, so no load
/// generator competes for the cores.
struct InProcessServer<App: ApplicationProtocol> where App.Responder.Context.Source == ApplicationRequestContextSource {
    let responder: App.Responder
    let channel = EmbeddedChannel()
    let adminKey: String

    init(_ app: App, dataDirectory: String) async throws {
        responder = try await app.responder
        adminKey = try String(contentsOfFile: dataDirectory + "/admin.key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func send(_ method: HTTPRequest.Method, _ path: String, key: String?, body: String? = nil) async throws -> (status: Int, body: String) {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil { headers[.contentType] = "application/json" }
        let request = Request(
            head: .init(method: method, scheme: "http", authority: "localhost", path: path, headerFields: headers),
            body: RequestBody(buffer: ByteBuffer(string: body ?? "")))
        let context = App.Responder.Context(source: .init(channel: channel, logger: Logger(label: "bench")))
        let response = try await responder.respond(to: request, context: context)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return (Int(response.status.code), collector.text)
    }

    /// Nanoseconds per request of `requests` GETs of `path` with `key`.
    func getLoop(_ requests: Int, path: String, key: String) async throws -> Double {
        let start = ContinuousClock.now
        for _ in 0..<requests {
            let status = try await send(.get, path, key: key).status
            guard status == 200 else { throw BenchmarkError("GET \(path) answered \(status)") }
        }
        return nanoseconds(since: start) / Double(requests)
    }
}

/// A string field of a JSON object answer.
func jsonField(_ text: String, _ name: String) throws -> String {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let value = object[name] as? String else {
        throw BenchmarkError("no \(name) in \(text)")
    }
    return value
}

/// Collects a response body written by the responder.
final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    // @unchecked: used by one request at a time, from the task awaiting it.
    var bytes = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        bytes.writeBuffer(&buffer)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
    var text: String { String(buffer: bytes) }
}
