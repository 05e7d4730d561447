import AerolithKernel
import AerolithPlatform
import AerolithStorage
import Foundation
import HTTPTypes
import Hummingbird

/// What the tenant's authorization hooks are told about a request: its path and the collection
/// it addresses, as the router matched them.
extension RouteDefinition {
    /// The request's path without the query, as the router matched it: the router ignores empty
    /// segments, so "/v1//collections/x" is "/v1/collections/x" here too (a hook checking a
    /// path prefix must see what the handler serves).
    static func path(of request: Request) -> String {
        let target = request.head.path ?? "/"
        let path = firstIndex(of: UInt8(ascii: "?"), in: target).map { String(decoding: target.utf8.prefix($0), as: UTF8.self) } ?? target
        guard path.contains("//") || path.isEmpty else { return path }
        return "/" + path.split(separator: "/").joined(separator: "/")
    }

    /// The `index`th segment of a normalised path ("/v1/collections/notes" → 2: "notes"), or "".
    static func segment(_ index: Int, of path: String) -> String {
        let scanned: String?? = path.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            var current = 0
            var start = bytes.first == UInt8(ascii: "/") ? 1 : 0
            var position = start
            while position <= bytes.count {
                if position == bytes.count || bytes[position] == UInt8(ascii: "/") {
                    if current == index { return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self) }
                    current += 1
                    start = position + 1
                }
                position += 1
            }
            return nil
        }
        if let scanned { return scanned ?? "" }
        let parts = path.split(separator: "/")
        return index < parts.count ? String(parts[index]) : ""
    }

    /// Percent-decoded text (as the router matched it), or the text itself when it has no escapes.
    static func decoded(_ text: String) -> String {
        guard firstIndex(of: UInt8(ascii: "%"), in: text) != nil else { return text }
        return text.removingPercentEncoding ?? text
    }

    /// The offset of the first `byte` in `text`'s UTF-8, scanning its contiguous storage (the
    /// generic collection algorithms on `String.UTF8View` validate every index they step over).
    static func firstIndex(of byte: UInt8, in text: String) -> Int? {
        if let found = text.utf8.withContiguousStorageIfAvailable({ $0.firstIndex(of: byte) }) { return found }
        // Small strings keep their bytes inline and lend no storage: walk them, they are short.
        var offset = 0
        for candidate in text.utf8 {
            if candidate == byte { return offset }
            offset += 1
        }
        return nil
    }

    /// The tenant's hooks on a request that passed the route's permission check: its
    /// authorization chain (which can only narrow access) and its usage event. Synchronous and
    /// out of line: the handler's async closure keeps one call for all of it.
    @inline(never)
    static func runTenantHooks(_ request: Request, requestID: String, caller: TenantCaller, plugins: PluginRegistry,
                               route: PluginRegistry.AuthorizeRoute?, collectionSegment: Int?, permission: Permission) throws {
        let tenantID = caller.tenantID
        let hooks = plugins.hooks(forTenant: tenantID)
        if hooks.hasAuthorize, let route {
            let refusal = authorize(request, hooks: hooks, plugins: plugins, route: route, collectionSegment: collectionSegment,
                                    tenantID: tenantID, requestID: requestID, permission: permission, subject: caller.subject,
                                    role: caller.grant.role)
            if _slowPath(refusal != nil), let refusal { throw PluginProblem.refused(refusal.outcome) }
        }
        if hooks.hasEvents {
            plugins.publish(tenantID: tenantID, kind: .usage, timeMilliseconds: Timestamp.now().milliseconds) {
                // The id is the server's own: the client's X-Request-ID would let a caller make its
                // records collide with (and be deduplicated against) earlier ones.
                var bytes = Array(#"{"kind":"api_call","quantity":1,"idempotency_id":"#.utf8)
                JSONWriter.writeString(UsageRecordID.make(), into: &bytes)
                bytes.append(UInt8(ascii: "}"))
                return bytes
            }
        }
    }

    /// Runs the authorization hooks for a request; nil when they allow it. A plain target (no
    /// empty segments, no escapes: nearly every request) lends its bytes to the hooks without a
    /// copy, and the route lends its method (the router hands a route only its own method) and
    /// its permission; anything else is normalised and decoded as the router matched it first.
    @inline(__always)
    static func authorize(_ request: Request, hooks: TenantHooks, plugins: PluginRegistry, route: PluginRegistry.AuthorizeRoute,
                          collectionSegment: Int?, tenantID: String, requestID: String,
                          permission: Permission, subject: String, role: String) -> PluginRegistry.AuthorizeRefusal? {
        var refusal: PluginRegistry.AuthorizeRefusal?
        let lent = request.uri.string.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let plain = PlainTarget(bytes, collectionSegment: collectionSegment) else { return false }
            let raw = UnsafeRawBufferPointer(bytes)
            refusal = plugins.authorize(hooks, route: route, tenantID: tenantID, requestID: requestID,
                                        path: UnsafeRawBufferPointer(rebasing: raw[plain.path]), subject: subject, role: role,
                                        collection: UnsafeRawBufferPointer(rebasing: raw[plain.collection]))
            return true
        }
        if _fastPath(lent == true) { return refusal }
        return authorizeNormalised(request, hooks: hooks, plugins: plugins, collectionSegment: collectionSegment, tenantID: tenantID,
                                   requestID: requestID, permission: permission, subject: subject, role: role)
    }

    /// The rare form: a target that needs normalising or decoding.
    @inline(never)
    static func authorizeNormalised(_ request: Request, hooks: TenantHooks, plugins: PluginRegistry, collectionSegment: Int?,
                                    tenantID: String, requestID: String, permission: Permission, subject: String, role: String)
        -> PluginRegistry.AuthorizeRefusal? {
        let rawPath = path(of: request)
        let input = PluginRegistry.AuthorizeInput(
            method: request.method.rawValue, path: decoded(rawPath), permission: permission.rawValue, subject: subject, role: role,
            collection: collectionSegment.map { decoded(segment($0, of: rawPath)) } ?? "")
        let outcome = plugins.authorize(hooks, tenantID: tenantID, requestID: requestID, input)
        return outcome == .allowed ? nil : PluginRegistry.AuthorizeRefusal(outcome)
    }
}
