import CreneauDomain
import Foundation
import Synchronization

/// A virtual waiting room for surges on the search and booking path (a national announcement, a
/// vaccination campaign opening): past a bound, new visitors take a numbered ticket and wait on a
/// page that refreshes itself, and are let in, in order, at the pace the server keeps up with.
///
/// Saturation is read from the booking path itself: requests in flight on it (`maxInFlight`) and
/// the smoothed time they take (`latencyBound`). While saturated, or while anyone still waits, a
/// visitor without a pass gets a ticket (its time of arrival, signed) and waits; admissions go
/// out at a rate that grows while the path is comfortable and shrinks when it is not (additive
/// increase, multiplicative decrease). An admitted visitor gets a pass for `passLifetime`: search,
/// choose, book without queueing again. Staff, referring doctors, health checks and everything
/// off the booking path are never queued.
///
/// Each instance keeps its own line; tickets and passes are signed with a key every instance
/// shares (derived from the field cipher's), so a ticket is honoured wherever the balancer sends
/// its holder — its place is then estimated from that instance's own line.
public final class WaitingRoom: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Booking-path requests served at once before new visitors wait.
        public var maxInFlight = 128
        /// Their smoothed duration past which new visitors wait.
        public var latencyBound: TimeInterval = 0.5
        /// How long an admitted visitor goes on without queueing.
        public var passLifetime: TimeInterval = 15 * 60
        /// Admissions per second when a surge begins; the rate then follows the path's health.
        public var initialRate: Double = 20

        public init() {}
    }

    /// Whether a request may go on, or must wait (and with which ticket).
    public enum Decision: Equatable, Sendable {
        /// Not on the booking path, exempt, or no surge: served as usual.
        case pass
        /// Admitted now: served, and given a pass (cookie value).
        case admitted(pass: String)
        /// Waiting: its ticket (cookie value, new or the one it brought), its place and an estimate in seconds.
        case wait(ticket: String, position: Int, seconds: Int)
    }

    struct State {
        var inFlight = 0
        /// Smoothed duration of booking-path requests (seconds).
        var latency: Double = 0
        /// Arrival times (ms) of tickets issued here and not yet admitted, oldest first.
        var waiting: [Int64] = []
        /// Every ticket up to this arrival time (ms) is admitted.
        var admittedThrough: Int64 = 0
        var rate: Double
        var tokens: Double = 0
        var lastRefill: Date?
        /// Booking-path requests finished since the throughput was last measured, and that measure (per second, smoothed).
        var completed = 0
        var throughput: Double = 0
        var measuredAt: Date?
    }

    let settings: Settings
    let signer: any LinkSigner
    let now: @Sendable () -> Date
    private let state: Mutex<State>
    /// The most tickets waiting here at once; beyond, newcomers are told to come back later.
    static let capacity = 200_000
    static let ticketCookie = "creneau_ticket"
    static let passCookie = "creneau_pass"

    public init(settings: Settings, signer: any LinkSigner, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.signer = signer
        self.now = now
        self.state = Mutex(State(rate: settings.initialRate))
    }

    // MARK: The booking path's health

    /// A booking-path request starts being served.
    func enter() { state.withLock { $0.inFlight += 1 } }

    /// It ended after `duration` seconds.
    func leave(after duration: TimeInterval) {
        state.withLock { state in
            state.inFlight = max(0, state.inFlight - 1)
            state.completed += 1
            // Smoothed over about the last twenty requests.
            state.latency += (duration - state.latency) * 0.05
        }
    }

    var waitingCount: Int { state.withLock { $0.waiting.count } }
    /// The line's length and the admission rate, read together (for the metrics).
    var gauges: (waiting: Int, rate: Double) { state.withLock { ($0.waiting.count, $0.rate) } }
    /// Admissions per second at the moment.
    var currentRate: Double { state.withLock { $0.rate } }

    /// Nil when nobody waits and the path keeps up; else about how long the line takes (seconds).
    func lineEstimate(now: Date) -> Int? {
        state.withLock { state in
            refill(&state, now: now)
            let saturated = strained(state)
            guard saturated || !state.waiting.isEmpty else { return nil }
            return estimate(state.waiting.count + 1, state)
        }
    }

    // MARK: Deciding

    /// What to do with a visitor on the booking path who brings `ticket` and `pass` cookies (if any).
    func decide(ticket: String?, pass: String?) -> Decision {
        let now = now()
        if let pass, validPass(pass, now: now) { return .pass }
        let brought = ticket.flatMap(arrival(of:))
        return state.withLock { state in
            refill(&state, now: now)
            let saturated = strained(state)
            if let arrival = brought {
                if arrival <= state.admittedThrough { return .admitted(pass: makePass(now: now)) }
                if state.waiting.isEmpty && !saturated {
                    state.admittedThrough = max(state.admittedThrough, arrival)
                    return .admitted(pass: makePass(now: now))
                }
                let ahead = state.waiting.partitioningIndex { $0 >= arrival }
                return .wait(ticket: ticket ?? "", position: ahead + 1, seconds: estimate(ahead + 1, state))
            }
            guard saturated || !state.waiting.isEmpty else { return .pass }
            // A newcomer: to the back of the line.
            var arrival = Int64((now.timeIntervalSince1970 * 1_000).rounded(.down))
            if let last = state.waiting.last, arrival <= last { arrival = last + 1 }
            if state.waiting.count < Self.capacity { state.waiting.append(arrival) }
            return .wait(ticket: makeTicket(arrival), position: state.waiting.count, seconds: estimate(state.waiting.count, state))
        }
    }

    /// Lets in the oldest tickets as the admission rate allows, and adapts the rate to the path.
    private func refill(_ state: inout State, now: Date) {
        let elapsed = state.lastRefill.map { max(0, now.timeIntervalSince($0)) } ?? 0
        state.lastRefill = now
        // What the path actually serves, a second at a time.
        let window = state.measuredAt.map { now.timeIntervalSince($0) } ?? 0
        if state.measuredAt == nil { state.measuredAt = now }
        if window >= 1 {
            let served = Double(state.completed) / window
            state.throughput = state.throughput == 0 ? served : state.throughput + (served - state.throughput) * 0.3
            state.completed = 0
            state.measuredAt = now
        }
        guard elapsed > 0 else { return }
        // The smoothed latency moves only when requests finish: with nothing in flight it would keep
        // a slow start's value and hold the line shut. Idle, it fades (halved each second).
        if state.inFlight == 0 { state.latency *= pow(0.5, min(elapsed, 30)) }
        let comfortable = state.inFlight < max(1, settings.maxInFlight / 2) && state.latency < settings.latencyBound / 2
        let strained = strained(state)
        defer {
            // The rate follows the path: down by 30% a second while strained, up by 10% a second
            // (at least one more admission a second) while comfortable.
            if strained {
                state.rate = max(1, state.rate * pow(0.7, min(elapsed, 5)))
            } else if comfortable, !state.waiting.isEmpty {
                state.rate = min(10_000, state.rate + max(1, state.rate * 0.1) * min(elapsed, 5))
            }
            // Never far ahead of what the path is seen to serve (measured each second): the rate may
            // probe a little above it, so the line keeps moving, but cannot run away from it.
            if state.throughput > 0 { state.rate = min(state.rate, state.throughput + 5) }
        }
        guard !state.waiting.isEmpty else {
            state.tokens = 0
            return
        }
        guard !strained else { return }
        state.tokens = min(state.rate, state.tokens + state.rate * elapsed)
        let admitted = min(state.waiting.count, Int(state.tokens))
        guard admitted > 0 else { return }
        state.tokens -= Double(admitted)
        state.admittedThrough = max(state.admittedThrough, state.waiting[admitted - 1])
        state.waiting.removeFirst(admitted)
    }

    /// The path is full, or slow: newcomers wait and admissions pause.
    private func strained(_ state: State) -> Bool {
        state.inFlight >= settings.maxInFlight || state.latency > settings.latencyBound
    }

    private func estimate(_ position: Int, _ state: State) -> Int {
        max(1, min(3_600, Int((Double(position) / max(state.rate, 1)).rounded(.up))))
    }

    // MARK: Tickets and passes (signed, so no instance stores them)

    func makeTicket(_ arrival: Int64) -> String {
        let nonce = UInt32.random(in: 0...UInt32.max)
        let text = "t1.\(arrival).\(nonce)"
        return text + "." + signer.signature(of: "waiting-room|" + text)
    }

    func arrival(of ticket: String) -> Int64? {
        let parts = ticket.split(separator: ".")
        guard parts.count == 4, parts[0] == "t1", let arrival = Int64(parts[1]), UInt32(parts[2]) != nil,
              signer.signature(of: "waiting-room|" + parts[0...2].joined(separator: ".")) == parts[3] else { return nil }
        return arrival
    }

    func makePass(now: Date) -> String {
        let text = "p1.\(Int64((now.timeIntervalSince1970 + settings.passLifetime).rounded(.down)))"
        return text + "." + signer.signature(of: "waiting-room|" + text)
    }

    func validPass(_ pass: String, now: Date) -> Bool {
        let parts = pass.split(separator: ".")
        guard parts.count == 3, parts[0] == "p1", let expires = Int64(parts[1]),
              signer.signature(of: "waiting-room|" + parts[0...1].joined(separator: ".")) == parts[2] else { return false }
        return Double(expires) > now.timeIntervalSince1970 && Double(expires) <= now.timeIntervalSince1970 + settings.passLifetime + 60
    }
}

extension Array where Element == Int64 {
    /// The index of the first element for which `belongs` holds, in a sorted array (binary search).
    func partitioningIndex(where belongs: (Int64) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
