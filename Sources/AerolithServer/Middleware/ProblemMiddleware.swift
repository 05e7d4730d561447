import AerolithExecution
import AerolithJSON
import AerolithStorage
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// Turns every error thrown below it into a problem+json response, stamps the request id on
/// every response, and logs server-side failures. Placed outermost (inside metrics) so no error
/// escapes as a bare status.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AerolithRequestContext
    let routes: RouteIndex

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = Self.requestID(from: request)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            var problem = Problem(error)
            var allowed: [String] = []
            if problem.code == ServerError.Code.routeNotFound.rawValue {
                allowed = routes.allowedMethods(for: request.uri.path)
                if !allowed.isEmpty {
                    problem = Problem(
                        status: .methodNotAllowed, code: ServerError.Code.methodNotAllowed.rawValue,
                        detail: "\(request.method.rawValue) is not served here; use \(allowed.joined(separator: ", "))")
                }
            }
            if let refused = error as? WorkRefused {
                // Load shed as designed, not a failure: counted, and logged only at debug so that a
                // flood does not also cost a log line per refused request.
                Counter(label: "aerolith_requests_shed_total", dimensions: [("pool", refused.pool)]).increment()
                context.logger.debug(
                    "request shed",
                    metadata: [
                        "pool": "\(refused.pool)", "reason": "\(refused.reason.rawValue)",
                        "request_id": "\(context.requestID)",
                    ])
            } else if let shed = error as? StorageError, shed.code == .overloaded {
                // A query refused by the store's query pool: shed the same way.
                Counter(label: "aerolith_requests_shed_total", dimensions: [("pool", "blocking")]).increment()
                context.logger.debug(
                    "request shed", metadata: ["pool": "blocking", "reason": "query", "request_id": "\(context.requestID)"])
            } else if problem.status.code >= 500 {
                context.logger.error(
                    "request failed",
                    metadata: [
                        "error": "\(String(reflecting: error))", "path": "\(request.uri.path)", "request_id": "\(context.requestID)",
                        "tenant": "\(context.principal?.tenantID ?? "-")",
                    ])
            }
            response = problem.response(requestID: context.requestID)
            if !allowed.isEmpty { response.headers[.allow] = allowed.joined(separator: ", ") }
        }
        response.headers[.requestID] = context.requestID
        return response
    }

    /// The caller's `X-Request-ID` when it is short printable ASCII, else a new random id.
    static func requestID(from request: Request) -> String {
        if let supplied = request.headers[.requestID], !supplied.isEmpty, supplied.utf8.count <= ServerLimits.requestIDLengthBytesMax,
            supplied.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        {
            return supplied
        }
        var generator = SystemRandomNumberGenerator()
        let random: UInt64 = generator.next()
        return withUnsafeBytes(of: random) { Hex.string($0) }
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-ID")!
}
