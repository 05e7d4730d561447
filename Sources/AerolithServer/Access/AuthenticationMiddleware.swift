import AerolithJSON
import AerolithKernel
import AerolithPlatform
import AerolithStorage
import Foundation
import Hummingbird

/// Establishes `context.principal` from `Authorization: Bearer <credential>`.
///
/// A request without the header passes through unauthenticated (public routes need none; every
/// other route refuses it with 401 in the route guard). A JWT is checked as one of this
/// server's access tokens; API keys (`ak_...` and any operator-supplied admin key) against the
/// stored keys. Anything the server does not know goes to the authentication providers plugins
/// register (SSO), in chain order. A credential nobody accepts is refused here with 401.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AerolithRequestContext
    let platform: Platform
    let plugins: PluginRegistry

    static let apiKeyPrefix = "ak_"

    /// A compact JWS: three base64url parts, the first a JSON object (`eyJ` is `{"`).
    static func looksLikeAccessToken(_ credential: String) -> Bool {
        credential.hasPrefix("eyJ") && credential.utf8.lazy.filter { $0 == UInt8(ascii: ".") }.count == 2
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The metrics token is not an identity: the metrics route checks it itself.
        guard let header = request.headers[.authorization], request.uri.path != MetricsAccess.path else {
            return try await next(request, context)
        }
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
        if Self.looksLikeAccessToken(secret) {
            do {
                context.principal = try await platform.authenticate(accessToken: secret)
            } catch let error as PlatformError where error.code == .unauthenticated && plugins.hasAuthenticationProviders {
                // Not one of this server's tokens (another issuer's JWT, say): the providers may know it.
                context.principal = try await provider(request, scheme: String(parts[0]), credentials: secret, requestID: context.requestID)
            }
            return try await next(request, context)
        }
        // The server's own keys first (any admin key an operator supplied included); only a
        // credential it does not know goes to the providers.
        do {
            context.principal = try await platform.authenticate(secret: secret)
        } catch let error as PlatformError
            where error.code == .unauthenticated && plugins.hasAuthenticationProviders
            && !secret.hasPrefix(Self.apiKeyPrefix)
        {
            context.principal = try await provider(request, scheme: String(parts[0]), credentials: secret, requestID: context.requestID)
        }
        return try await next(request, context)
    }

    /// Asks the plugins' authentication providers, then checks the claims the accepting one wrote.
    private func provider(_ request: Request, scheme: String, credentials: String, requestID: String) async throws -> Principal {
        let input = PluginRegistry.AuthenticateInput(
            scheme: scheme, credentials: credentials, method: request.method.rawValue,
            path: request.uri.path, headersJSON: PluginMountedRoutes.headersJSON(request.headers))
        switch plugins.authenticate(requestID: requestID, input) {
        case .passed:
            throw PlatformError(.unauthenticated, "the credential is not valid")
        case .rejected(_, let message):
            throw PlatformError(.unauthenticated, message.isEmpty ? "the credential was rejected" : message)
        case .failed(let failure):
            throw PluginProblem.failed(failure)
        case .authenticated(let plugin, let claims):
            return try await principal(claims: claims, plugin: plugin)
        }
    }

    /// {"subject","tenant_id","role","expires_at_ms"?}: the tenant must exist and be active, and
    /// the providing plugin must be active for it.
    private func principal(claims bytes: [UInt8], plugin: String) async throws -> Principal {
        let invalid = PlatformError(.unauthenticated, "the authentication provider \(plugin) returned invalid claims")
        guard
            case .object(let claims)? = try? bytes.withUnsafeBytes({ raw throws(JSONError) in
                try JSONParser.parse(
                    raw, limits: JSONLimits(depthMax: PluginLimits.claimsDepthMax, sizeBytesMax: PluginLimits.claimsBytesMax))
            }), let subject = claims["subject"]?.stringValue, !subject.isEmpty,
            let tenantID = claims["tenant_id"]?.stringValue, let role = claims["role"]?.stringValue.flatMap(Role.init(rawValue:))
        else {
            throw invalid
        }
        if let expiry = claims["expires_at_ms"] {
            guard case .number(let number) = expiry, let expiresAt = number.int64Value else { throw invalid }
            guard expiresAt > Timestamp.now().milliseconds else { throw PlatformError(.unauthenticated, "the credential has expired") }
        }
        let tenant: Tenant
        do {
            tenant = try await platform.tenant(tenantID)
        } catch {
            throw PlatformError(.unauthenticated, "the credential names a tenant that does not exist")
        }
        guard plugins.isActive(plugin, tenantID: tenant.id) else {
            throw PlatformError(.unauthenticated, "the authentication provider \(plugin) is not active for this tenant")
        }
        guard tenant.status == .active else { throw PlatformError(.tenantSuspended, "the tenant is suspended") }
        return .tenant(TenantCaller(tenantID: tenant.id, subject: "\(plugin):\(subject)", kind: .provider, grant: Grant(role)))
    }
}
