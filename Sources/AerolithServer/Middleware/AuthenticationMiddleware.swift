import Foundation
import AerolithPlatform
import Hummingbird

/// Establishes `context.principal` from `Authorization: Bearer <key>`.
///
/// A request without the header passes through unauthenticated (public routes need none; every
/// other route refuses it with 401 in `RouteGuard`). A header that is present but malformed,
/// unknown or revoked is refused here with 401.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AerolithRequestContext
    let platform: Platform

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.utf8.count <= ServerLimits.authorizationHeaderLengthBytesMax else {
            throw PlatformError(.unauthenticated, "the Authorization header is too long")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].utf8.count == 6, parts[0].utf8.elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) else {
            throw PlatformError(.unauthenticated, "use Authorization: Bearer <key>")
        }
        let secret = parts[1].trimmingHeaderWhitespace
        guard !secret.isEmpty, secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw PlatformError(.unauthenticated, "the API key is not valid")
        }
        var context = context
        context.principal = try platform.authenticate(secret: secret)
        return try await next(request, context)
    }
}
