import CreneauDomain
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import Prometheus

/// Puts `WaitingRoom` in front of the search and booking path. After authentication, so a signed-in
/// member of staff or referring doctor is known (and never queued); inside the error middleware, so a
/// refusal is worded like any other.
struct WaitingRoomMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let room: WaitingRoom
    let pages: Result<WebPages, any Error>
    let secure: Bool
    /// What operators watch: people waiting here, the admission rate, tickets handed out.
    let waiting: Gauge
    let rate: Gauge
    let tickets: Counter

    init(room: WaitingRoom, pages: Result<WebPages, any Error>, secure: Bool, metrics: HTTPMetrics) {
        self.room = room
        self.pages = pages
        self.secure = secure
        waiting = metrics.registry.makeGauge(name: "creneau_waiting_room_waiting", help: "Visitors waiting in this instance's line.")
        rate = metrics.registry.makeGauge(name: "creneau_waiting_room_admissions_per_second", help: "The rate this instance lets visitors in at.")
        tickets = metrics.registry.makeCounter(name: "creneau_waiting_room_tickets_total", help: "Visitors sent to the waiting room.")
    }

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard let surface = Self.surface(of: request) else { return try await next(request, context) }
        if let identity = context.identity, identity.isStaff || identity.roles.contains(.referringDoctor) {
            return try await measured(request, context, next)
        }
        let pass = BrowserSession.cookie(WaitingRoom.passCookie, in: request)
        switch surface {
        case .api:
            // Programs do not keep a place in a line: told when to come back.
            if let seconds = room.busy(pass: pass) {
                var error = APIError(.serviceUnavailable, code: "waiting_room",
                                     message: "Many people are booking right now. Try again in \(seconds) seconds; your request was not taken into account.")
                error.retryAfter = seconds
                throw error
            }
            return try await measured(request, context, next)
        case .page:
            let brought = BrowserSession.cookie(WaitingRoom.ticketCookie, in: request)
            let decision = room.decide(ticket: brought, pass: pass)
            let gauges = room.gauges
            waiting.set(Double(gauges.waiting))
            rate.set(gauges.rate)
            switch decision {
            // The room counted these in flight when it let them through.
            case .pass:
                return try await measured(request, context, next, entered: true)
            case .admitted(let pass):
                var response = try await measured(request, context, next, entered: true)
                response.headers[values: .setCookie].append(cookie(WaitingRoom.passCookie, pass, maxAge: room.settings.passLifetime))
                response.headers[values: .setCookie].append(cookie(WaitingRoom.ticketCookie, "", maxAge: 0))
                return response
            case .wait(let ticket, let position, let seconds, let refresh):
                if brought == nil { tickets.increment() }
                return try waitingPage(request, context, ticket: ticket, position: position, seconds: seconds, refresh: refresh)
            }
        }
    }

    private func measured(_ request: Request, _ context: AppRequestContext, _ next: (Request, AppRequestContext) async throws -> Response,
                          entered: Bool = false) async throws -> Response {
        let started = ContinuousClock.now
        if !entered { room.enter() }
        do {
            let response = try await next(request, context)
            room.leave(after: Self.seconds(ContinuousClock.now - started))
            return response
        } catch {
            room.leave(after: Self.seconds(ContinuousClock.now - started))
            throw error
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The waiting page: its place, an estimate, and a refresh (HTTP `Refresh`: no JavaScript). A
    /// timed refresh must be something a person can stop (WCAG 2.2.1: a screen reader starting the
    /// page over every few seconds, someone who reads slowly): the page's first link stops it, and
    /// the manual page keeps the place (a ticket that comes back later is still ahead of everyone
    /// who arrived after it) with a link to check whose turn it is.
    private func waitingPage(_ request: Request, _ context: AppRequestContext, ticket: String, position: Int, seconds: Int, refresh: Int) throws -> Response {
        let pages = try pages.get()
        let page = PageContext(request, context)
        let language = page.language
        let minutes = max(1, (seconds + 59) / 60)
        let manual = request.uri.queryParameters.get("waiting") == "manual"
        let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        let stop = path + (request.uri.query == nil ? "?" : "&") + "waiting=manual"
        var response = try pages.render("waiting-room", page, title: pages.text("waiting_title", language), values: [
            "manual": manual,
            "stop": stop,
            "positionText": pages.text("waiting_position", language).replacingOccurrences(of: "{position}", with: String(position)),
            "estimateText": pages.text("waiting_estimate", language).replacingOccurrences(of: "{minutes}", with: String(minutes)),
            "again": path,
        ], status: .serviceUnavailable)
        response.headers[.retryAfter] = String(refresh)
        if !manual { response.headers[HTTPField.Name("Refresh")!] = String(refresh) }
        if !ticket.isEmpty { response.headers[values: .setCookie].append(cookie(WaitingRoom.ticketCookie, ticket, maxAge: 3_600)) }
        return response
    }

    private func cookie(_ name: String, _ value: String, maxAge: TimeInterval) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(Int(maxAge)); HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }

    enum Surface { case page, api }

    /// The search and booking path, where a surge lands: its pages, and the API and FHIR routes that search and book.
    static func surface(of request: Request) -> Surface? {
        let path = request.uri.path, method = request.method
        if method == .get && (path == "/" || path == "/search" || path.hasPrefix("/practitioners/")) || path.hasPrefix("/book/") { return .page }
        if method == .get && (path == "/api/v1/search" || path == "/api/v1/availability" || path.hasPrefix("/api/v1/practitioners") || path == "/fhir/Slot") {
            return .api
        }
        if method == .post && (path == "/api/v1/appointments" || path == "/api/v1/holds" || path == "/fhir/Appointment") { return .api }
        return nil
    }
}

extension WaitingRoom {
    /// For programs: nil when they may go on, else the seconds to wait (a surge, or people waiting in line).
    func busy(pass: String?) -> Int? {
        let now = now()
        if let pass, validPass(pass, now: now) { return nil }
        return lineEstimate(now: now)
    }
}
