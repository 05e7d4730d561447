import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// Per connection: counts it (making room, when the maximum is open, by closing the connection
/// idle the longest; see `ConnectionCounter`), tells the counter when it is busy with a request
/// and when it is idle again, and closes it when its first request head is not complete within
/// the header-read timeout. Sits after the HTTP decoder, so a head counts as read only once all
/// of it has arrived, however slowly its bytes trickle in.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let counter: ConnectionCounter
    private let headerReadTimeout: TimeAmount
    private let logger: Logger
    private var started = false
    private var counted = false
    /// The connection's ticket while it is idle (waiting for a request head).
    private var idleTicket: UInt64?
    /// Request heads read whose responses have not ended (more than one only when pipelined).
    private var requestsInFlight = 0
    private var headerDeadline: Scheduled<Void>?

    init(counter: ConnectionCounter, headerReadTimeoutSeconds: Int, logger: Logger) {
        self.counter = counter
        headerReadTimeout = .seconds(Int64(headerReadTimeoutSeconds))
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            requestsInFlight += 1
            headerDeadline?.cancel()
            headerDeadline = nil
            if let ticket = idleTicket {
                counter.busy(ticket)
                idleTicket = nil
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            requestsInFlight = max(0, requestsInFlight - 1)
            if counted, idleTicket == nil, requestsInFlight == 0 { idleTicket = counter.idle(context.channel) }
        }
        context.write(data, promise: promise)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        switch counter.admit(context.channel) {
        case .refused:
            logger.debug(
                "connection refused: the maximum is open and none is idle", metadata: ["connections_max": "\(counter.connectionsMax)"])
            context.close(promise: nil)
            return
        case .admitted(let ticket, let evicted):
            idleTicket = ticket
            if let evicted {
                logger.debug("idle connection closed to make room", metadata: ["connections_max": "\(counter.connectionsMax)"])
                evicted.close(promise: nil)
            }
        }
        counted = true
        let logger = self.logger
        let timeout = headerReadTimeout
        headerDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            logger.debug("connection closed: no complete request head in time", metadata: ["timeout": "\(timeout)"])
            context.close(promise: nil)
        }
    }

    private func finish() {
        headerDeadline?.cancel()
        headerDeadline = nil
        if counted {
            counted = false
            counter.close(idleTicket)
            idleTicket = nil
        }
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}
