import CreneauDomain
import Foundation
import Synchronization

/// A virtual waiting room for surges on the search and booking path (a national announcement, a
/// vaccination campaign opening): past a bound, new visitors take a numbered ticket and wait on a
/// page that refreshes itself, and are let in, in order, as places free up on the path.
///
/// The path has `maxInFlight` places: the requests served on it at once. Visitors at the head of
/// the line (the first `window` tickets) refresh every `headRefresh` seconds; a refresh that finds
/// a free place goes in at once — it *is* the admitted request, so the requests being served never
/// exceed the bound whatever the crowd, and what an admitted visitor waits for is the path's own
/// time, not a queue in front of it. (A first version let visitors in at a rate steered by the
/// path's latency: the rate overshot and admitted requests queued, p99 4.7 s at three times
/// capacity.) Order is kept to within the head window: a place goes to whoever of its first
/// few seconds' worth of tickets asks first. Past `latencyBound` (smoothed) the path is slow
/// whatever its occupancy (a slow database) and nobody new goes in.
///
/// An admitted visitor gets a pass for `passLifetime`: search, choose, book without queueing
/// again; their requests take places like everyone's, so a crowd of pass holders slows the line
/// rather than the path. Tickets whose holders stopped refreshing (gave up, closed the tab) leave
/// the head of the line after a few missed refreshes. Staff, referring doctors, health checks and
/// everything off the booking path are never queued.
///
/// Each instance keeps its own line; tickets and passes are signed with a key every instance
/// shares (derived from the field cipher's), so a ticket is honoured wherever the balancer sends
/// its holder — its place is then estimated from that instance's own line.
public final class WaitingRoom: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Places on the booking path: requests served at once before anyone waits.
        public var maxInFlight = 128
        /// The path's smoothed time per request past which nobody new is let in.
        public var latencyBound: TimeInterval = 0.5
        /// How long an admitted visitor goes on without queueing.
        public var passLifetime: TimeInterval = 15 * 60
        /// How often the head of the line asks again (seconds).
        public var headRefresh = 2

        public init() {}
    }

    /// The head of the line: tickets that may take a free place when they ask. Enough that their
    /// refreshes keep every place busy — what the path serves in a refresh interval (places ÷ time
    /// per request × interval: Little's law) — so the order bends by a couple of seconds at most.
    /// (Measured: four tickets a place let in 16 visitors a second where the path served 440; half
    /// the interval's worth let fewer in, so more waited longer and refreshed more: BENCHMARKS.md.)
    func window(_ state: State) -> Int {
        let perSecond = Double(settings.maxInFlight) / max(state.latency, 0.002)
        return Int(min(50_000, max(32, perSecond * Double(settings.headRefresh))))
    }

    /// The head window now (tests).
    var currentWindow: Int { state.withLock { window($0) } }

    /// Whether a request may go on, or must wait (and with which ticket).
    public enum Decision: Equatable, Sendable {
        /// Not on the booking path, exempt, or no surge: served as usual.
        case pass
        /// Admitted now: served, and given a pass (cookie value).
        case admitted(pass: String)
        /// Waiting: its ticket (cookie value, new or the one it brought), its place, an estimate
        /// and when to ask again (seconds).
        case wait(ticket: String, position: Int, seconds: Int, refresh: Int)
    }

    struct State {
        var inFlight = 0
        /// Smoothed duration of booking-path requests (seconds).
        var latency: Double = 0
        /// Arrival times (ms) of tickets issued here and not yet let in, oldest first.
        var waiting: [Int64] = []
        /// When each ticket of the head window last asked (tickets further back are not tracked).
        var seen: [Int64: Date] = [:]
        var lastCheck: Date?
        /// Visitors let in since the rate was last measured, and that rate (per second, smoothed).
        var letIn = 0
        var rate: Double = 0
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
        self.state = Mutex(State())
    }

    // MARK: The booking path's health

    /// A booking-path request starts being served.
    func enter() { state.withLock { $0.inFlight += 1 } }

    /// It ended after `duration` seconds.
    func leave(after duration: TimeInterval) {
        state.withLock { state in
            state.inFlight = max(0, state.inFlight - 1)
            // Smoothed over about the last twenty requests.
            state.latency += (duration - state.latency) * 0.05
        }
    }

    var waitingCount: Int { state.withLock { $0.waiting.count } }
    /// The line's length and the admission rate, read together (for the metrics).
    var gauges: (waiting: Int, rate: Double) { state.withLock { ($0.waiting.count, $0.rate) } }
    /// Visitors let in per second lately.
    var currentRate: Double { state.withLock { $0.rate } }

    /// Nil when nobody waits and the path has room; else about how long the line takes (seconds).
    func lineEstimate(now: Date) -> Int? {
        state.withLock { state in
            tidy(&state, now: now)
            guard full(state) || !state.waiting.isEmpty else { return nil }
            return estimate(state.waiting.count + 1, state)
        }
    }

    // MARK: Deciding

    /// What to do with a visitor on the booking path who brings `ticket` and `pass` cookies (if any).
    /// A `.pass` or `.admitted` request is counted in flight here, in the same step that let it
    /// through (so a crowd arriving at once cannot overfill the path); it calls `leave(after:)` when served.
    func decide(ticket: String?, pass: String?) -> Decision {
        let now = now()
        if let pass, validPass(pass, now: now) {
            enter()
            return .pass
        }
        let brought = ticket.flatMap(arrival(of:))
        return state.withLock { state in
            tidy(&state, now: now)
            if let arrival = brought {
                let ahead = state.waiting.partitioningIndex { $0 >= arrival }
                let listed = ahead < state.waiting.count && state.waiting[ahead] == arrival
                // At the head and a place is free: in now, taking the place before anyone else asks.
                let window = window(state)
                if ahead < window, !full(state) {
                    if listed { state.waiting.remove(at: ahead) }
                    state.seen[arrival] = nil
                    state.letIn += 1
                    state.inFlight += 1
                    return .admitted(pass: makePass(now: now))
                }
                if listed, ahead < window { state.seen[arrival] = now }
                return wait(ticket ?? "", position: ahead + 1, state)
            }
            guard full(state) || !state.waiting.isEmpty else {
                state.inFlight += 1
                return .pass
            }
            // A newcomer: to the back of the line.
            var arrival = Int64((now.timeIntervalSince1970 * 1_000).rounded(.down))
            if let last = state.waiting.last, arrival <= last { arrival = last + 1 }
            if state.waiting.count < Self.capacity {
                state.waiting.append(arrival)
                if state.waiting.count <= window(state) { state.seen[arrival] = now }
            }
            return wait(makeTicket(arrival), position: state.waiting.count, state)
        }
    }

    private func wait(_ ticket: String, position: Int, _ state: State) -> Decision {
        let seconds = estimate(position, state)
        // The head asks often (a free place must find a taker); further back less often: each
        // refresh is a request too, and thousands waiting must not cost the server more than the surge.
        let refresh = position <= window(state) ? settings.headRefresh : max(5, min(120, seconds / 3))
        return .wait(ticket: ticket, position: position, seconds: seconds, refresh: refresh)
    }

    /// Measures the admission rate, and drops from the head of the line tickets that stopped asking.
    private func tidy(_ state: inout State, now: Date) {
        let elapsed = state.lastCheck.map { max(0, now.timeIntervalSince($0)) } ?? 0
        state.lastCheck = now
        // The smoothed latency moves only when requests finish: with nothing in flight it would keep
        // a slow start's value and hold the line shut. Idle, it fades (halved each second).
        if state.inFlight == 0, elapsed > 0 { state.latency *= pow(0.5, min(elapsed, 30)) }
        if state.measuredAt == nil { state.measuredAt = now }
        if let measuredAt = state.measuredAt, now.timeIntervalSince(measuredAt) >= 1 {
            state.rate += (Double(state.letIn) / now.timeIntervalSince(measuredAt) - state.rate) * 0.3
            state.letIn = 0
            state.measuredAt = now
            // Once a second: a head ticket unseen for five refreshes has left. Tickets moving into the
            // head window start their clock now (their holders asked less often back there).
            let gone = now.addingTimeInterval(-Double(settings.headRefresh * 5))
            var index = 0
            let window = window(state)
            while index < min(state.waiting.count, window) {
                let arrival = state.waiting[index]
                if let seen = state.seen[arrival] {
                    if seen < gone {
                        state.waiting.remove(at: index)
                        state.seen[arrival] = nil
                        continue
                    }
                } else {
                    state.seen[arrival] = now
                }
                index += 1
            }
        }
    }

    /// No free place on the path, or the path is slow: newcomers wait.
    private func full(_ state: State) -> Bool {
        state.inFlight >= settings.maxInFlight || state.latency > settings.latencyBound
    }

    /// About how long until `position` is let in: at the rate visitors have been let in lately,
    /// or, before any was, as if each place turned over at the path's own pace.
    private func estimate(_ position: Int, _ state: State) -> Int {
        let perSecond = state.rate > 0.5 ? state.rate : Double(settings.maxInFlight) / max(state.latency, 0.05)
        return max(1, min(3_600, Int((Double(position) / perSecond).rounded(.up))))
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
