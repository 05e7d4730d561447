import AerolithJSON
import AerolithStorage
import Hummingbird

/// Reads and parses JSON request bodies under the server's limits.
enum RequestBody {
    /// The body parsed as JSON. Refuses non-JSON media types (415), bodies over
    /// `ServerLimits.requestBodyBytesMax` (413), empty bodies and malformed or too-deep JSON (400).
    static func json(_ request: Request, context: AerolithRequestContext, allowMergePatch: Bool = false) async throws -> JSONValue {
        if let contentType = request.headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingHeaderWhitespace.lowercased() } ?? ""
            let accepted =
                mediaType == "application/json" || (allowMergePatch && mediaType == "application/merge-patch+json")
                || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json") && allowMergePatch)
            guard accepted else {
                throw ServerError(
                    .unsupportedMediaType,
                    "send JSON with Content-Type: application/json\(allowMergePatch ? " or application/merge-patch+json" : "")")
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > ServerLimits.requestBodyBytesMax {
            throw ServerError(.bodyTooLarge, "the request body is \(length) bytes; the limit is \(ServerLimits.requestBodyBytesMax) bytes")
        }
        let buffer = try await request.body.collect(upTo: ServerLimits.requestBodyBytesMax)
        guard buffer.readableBytes > 0 else { throw ServerError(.emptyBody, "the request needs a JSON body") }
        let limits = JSONLimits(depthMax: StorageLimits.documentDepthMax, sizeBytesMax: ServerLimits.requestBodyBytesMax)
        return try buffer.withUnsafeReadableBytes { bytes throws(JSONError) in try JSONParser.parse(bytes, limits: limits) }
    }

    /// The body as a JSON object.
    static func object(_ request: Request, context: AerolithRequestContext, allowMergePatch: Bool = false) async throws -> JSONObject {
        let value = try await json(request, context: context, allowMergePatch: allowMergePatch)
        guard case .object(let object) = value else {
            throw StorageError(.bodyNotObject, "the request body must be a JSON object, not \(value.typeName)")
        }
        return object
    }
}

/// Typed access to the members of a request object, with `invalid_*` errors naming the field.
struct RequestFields {
    let object: JSONObject
    let allowed: Set<String>

    init(_ object: JSONObject, allowed: Set<String>) throws {
        self.object = object
        self.allowed = allowed
        if let unknown = object.members.first(where: { !allowed.contains($0.key) }) {
            throw ServerError(
                .invalidParameter, "unknown field \"\(unknown.key.prefix(40))\"; expected \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func string(_ key: String, required: Bool) throws -> String? {
        switch object[key] {
        case nil, .null?:
            if required { throw ServerError(.invalidParameter, "\"\(key)\" is required") }
            return nil
        case .string(let value)?: return value
        case let other?: throw ServerError(.invalidParameter, "\"\(key)\" must be a string, not \(other.typeName)")
        }
    }

    /// An optional array of strings.
    func strings(_ key: String) throws -> [String]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let values)?:
            return try values.map { value in
                guard let text = value.stringValue else { throw ServerError(.invalidParameter, "\"\(key)\" must be an array of strings") }
                return text
            }
        case let other?: throw ServerError(.invalidParameter, "\"\(key)\" must be an array of strings, not \(other.typeName)")
        }
    }
}
