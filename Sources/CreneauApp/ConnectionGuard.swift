import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Logging
import Synchronization

/// Counts the server's open connections, in all and per client address, and says
/// whether a new one may stay: a few machines holding thousands of idle sockets must
/// not take every descriptor and leave `/healthz` and real patients without an answer.
final class ConnectionCounter: Sendable {
    let limits: ConnectionLimits
    /// Reverse proxies carry every patient's connection: they are not capped per address.
    let exempt: Set<String>
    private let state = Mutex<(total: Int, byAddress: [String: Int])>((0, [:]))

    init(limits: ConnectionLimits, exempt: Set<String>) {
        self.limits = limits
        self.exempt = exempt
    }

    /// Counts the connection in if both caps allow it.
    func admit(_ address: String) -> Bool {
        state.withLock { state in
            let fromAddress = state.byAddress[address, default: 0]
            guard state.total < limits.maxConnections, exempt.contains(address) || fromAddress < limits.maxConnectionsPerAddress else { return false }
            state.total += 1
            state.byAddress[address] = fromAddress + 1
            return true
        }
    }

    func release(_ address: String) {
        state.withLock { state in
            state.total -= 1
            let left = state.byAddress[address, default: 1] - 1
            state.byAddress[address] = left > 0 ? left : nil
        }
    }

    var open: Int { state.withLock { $0.total } }
}

/// One per connection, after HTTP decoding: closes a connection over the caps at once,
/// and one whose request is not read in full within `requestTimeout` (a body announced
/// and never sent, or sent a byte at a time). Idle connections and headers sent too
/// slowly are closed by Hummingbird's idle timeout, which this complements.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let counter: ConnectionCounter
    private let requestTimeout: TimeAmount
    private var address: String?
    private var deadline: Scheduled<Void>?

    init(counter: ConnectionCounter) {
        self.counter = counter
        self.requestTimeout = .milliseconds(Int64(counter.limits.requestTimeout * 1_000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.admit(address) else {
            context.close(promise: nil)
            return
        }
        self.address = address
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        if let address { counter.release(address) }
        address = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            let channel = context.channel
            deadline = context.eventLoop.scheduleTask(in: requestTimeout) { channel.close(promise: nil) }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }
}

/// Raises the process's open-file limit to its hard limit: each connection is a descriptor,
/// and the connection caps, not a default of 1,024, should decide who is turned away.
func raiseDescriptorLimit(logger: Logger) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    let before = limit.rlim_cur
    limit.rlim_cur = limit.rlim_max
    if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
        logger.debug("Raised the open-file limit", metadata: ["from": "\(before)", "to": "\(limit.rlim_max)"])
    }
}
