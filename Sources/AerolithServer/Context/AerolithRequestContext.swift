import AerolithPlatform
import AerolithStorage
import Hummingbird

/// Per-request state carried through middleware to handlers.
public struct AerolithRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request id echoed in `X-Request-ID` and in every problem response and log line.
    public var requestID = ""
    /// Who sent the request, once `AuthenticationMiddleware` has checked its credential.
    public var principal: Principal?
    /// The tenant principal's tenant, looked up once per request by the route guard.
    public var tenant: Tenant?
    /// The store of the tenant's placement (its storage target's), resolved with `tenant`.
    public var tenantDataStore: (any DocumentStore)?
    /// The peer's IP address, for sign-in throttling.
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    public var maxUploadSize: Int { ServerLimits.requestBodyBytesMax }
}
