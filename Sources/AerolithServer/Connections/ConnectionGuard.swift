import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// Per connection: refuses it when the maximum is open already, and closes it when its first
/// request head is not complete within the header-read timeout. Sits after the HTTP decoder, so
/// a head counts as read only once all of it has arrived, however slowly its bytes trickle in.
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
            headerDeadline?.cancel()
            headerDeadline = nil
        }
        context.fireChannelRead(data)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        guard counter.tryOpen() else {
            logger.debug("connection refused: the maximum is open", metadata: ["connections_max": "\(counter.connectionsMax)"])
            context.close(promise: nil)
            return
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
            counter.close()
        }
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}
