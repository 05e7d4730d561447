import AerolithJSON
import AerolithKernel
import AerolithPermissions
import AerolithPlatform
import AerolithStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Synchronization

/// The one guard every route passes through, core and plugin-mounted alike:
///
///     permission check → the caller's tenant, looked up once → the tenant's authorization
///     hooks (which can only narrow access) → handler → the usage record of the request
///
/// Guarantees: no route reaches its handler without the check its `Access` names; a tenant
/// caller's request that reaches its handler publishes exactly one usage record (to the
/// tenant's events hooks), after the handler, with what the request ended as — status, bytes
/// in and out, duration — and an idempotency id of the server's own.
struct RouteGuard: Sendable {
    let services: ServerServices

    func respond(
        to request: Request, context: AerolithRequestContext, access: RouteDefinition.Access,
        handler: RouteDefinition.Handler
    ) async throws -> Response {
        if case .open = access { return try await handler(request, context) }
        guard let principal = context.principal else {
            throw PlatformError(.unauthenticated, "this route needs Authorization: Bearer <key or access token>")
        }
        var permission: Permission?
        switch access {
        case .open:
            break
        case .user:
            // The signed-in user's own account and sessions.
            guard case .tenant(let caller) = principal, caller.kind == .user else {
                throw PlatformError(.userRequired, "this route is for signed-in users; sign in with POST /v1/auth/login")
            }
        case .permission(let required):
            // A credential scoped to some collections may use only routes addressing one of them.
            try principal.require(required, collection: Self.collection(context))
            permission = required
        }
        guard case .tenant(let caller) = principal else { return try await handler(request, context) }
        var context = context
        let tenant = try await services.platform.tenant(caller.tenantID)
        context.tenant = tenant
        context.tenantDataStore = try services.storage.store(for: tenant.placement)
        let hooks = services.plugins.hooks(forTenant: caller.tenantID)
        if let permission, hooks.hasAuthorize {
            let input = PluginRegistry.AuthorizeInput(
                method: request.method.rawValue, path: RequestPath.decoded(RequestPath.path(of: request)), permission: permission.rawValue,
                subject: caller.subject, role: caller.grant.role, collection: Self.collection(context) ?? "")
            let outcome = services.plugins.authorize(hooks, tenantID: caller.tenantID, requestID: context.requestID, input)
            if outcome != .allowed { throw PluginProblem.refused(outcome) }
        }
        guard hooks.hasEvents else { return try await handler(request, context) }
        return try await metered(request, context: context, tenantID: caller.tenantID, handler: handler)
    }

    /// The collection the route addresses, as the router matched it, percent-decoded.
    private static func collection(_ context: AerolithRequestContext) -> String? {
        context.parameters.get("collection").map(RequestPath.decoded)
    }

    /// Runs the handler and publishes the usage record of the request as it ended. A handler's
    /// error is recorded with the status its problem response carries, then passed on.
    private func metered(
        _ request: Request, context: AerolithRequestContext, tenantID: String,
        handler: RouteDefinition.Handler
    ) async throws -> Response {
        let started = ContinuousClock.now
        var request = request
        let bytesIn = RequestByteCount(&request)
        let response: Response
        do {
            response = try await handler(request, context)
        } catch {
            let problem = Problem(error).response(requestID: context.requestID)
            publishUsage(
                tenantID: tenantID, method: request.method, status: problem.status.code, bytesIn: bytesIn.bytes,
                bytesOut: problem.body.contentLength ?? 0, since: started)
            throw error
        }
        // HEAD is answered by this GET handler; the body it drops is never sent.
        let bytesOut = request.method == .head ? 0 : response.body.contentLength ?? 0
        publishUsage(
            tenantID: tenantID, method: request.method, status: response.status.code, bytesIn: bytesIn.bytes,
            bytesOut: bytesOut, since: started)
        return response
    }

    /// `{"kind":"api_call","quantity":1,"idempotency_id":…,"method":…,"status":…,
    /// "request_bytes":…,"response_bytes":…,"duration_us":…}`. The id is the server's own: the
    /// client's X-Request-ID would let a caller make its records collide with (and be
    /// deduplicated against) earlier ones.
    private func publishUsage(
        tenantID: String, method: HTTPRequest.Method, status: Int, bytesIn: Int, bytesOut: Int,
        since started: ContinuousClock.Instant
    ) {
        let elapsed = started.duration(to: .now)
        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        services.plugins.publish(tenantID: tenantID, kind: .usage, timeMilliseconds: Timestamp.now().milliseconds) {
            var bytes = Array(#"{"kind":"api_call","quantity":1,"idempotency_id":"#.utf8)
            JSONWriter.writeString(UsageRecordID.make(), into: &bytes)
            bytes += Array(#","method":"#.utf8)
            JSONWriter.writeString(method.rawValue, into: &bytes)
            bytes += Array(
                #","status":\#(status),"request_bytes":\#(bytesIn),"response_bytes":\#(bytesOut),"duration_us":\#(microseconds)}"#.utf8)
            return bytes
        }
    }
}

/// The bytes of a request's body: its declared `Content-Length`, or, for a chunked body, what
/// the handler read of it, counted as it streams through.
struct RequestByteCount {
    private let declared: Int?
    private let counted: Counted?

    final class Counted: Sendable {
        let bytes = Atomic<Int>(0)
    }

    init(_ request: inout Request) {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }) {
            declared = length
            counted = nil
        } else if request.headers[.transferEncoding] != nil {
            let counted = Counted()
            request.body = HummingbirdCore.RequestBody(
                asyncSequence: request.body.map { @Sendable buffer in
                    counted.bytes.add(buffer.readableBytes, ordering: .relaxed)
                    return buffer
                })
            declared = nil
            self.counted = counted
        } else {
            declared = 0
            counted = nil
        }
    }

    var bytes: Int { declared ?? counted?.bytes.load(ordering: .relaxed) ?? 0 }
}

/// What the tenant's hooks are told about a request's path: as the router matched it.
enum RequestPath {
    /// The request's path without the query, as the router matched it: the router ignores empty
    /// segments, so "/v1//collections/x" is "/v1/collections/x" here too (a hook checking a
    /// path prefix must see what the handler serves).
    static func path(of request: Request) -> String {
        let path = request.uri.path
        guard path.contains("//") || path.isEmpty else { return path }
        return "/" + path.split(separator: "/").joined(separator: "/")
    }

    /// Percent-decoded text (as the router matched it), or the text itself when it has no escapes.
    static func decoded(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        return text.removingPercentEncoding ?? text
    }
}
