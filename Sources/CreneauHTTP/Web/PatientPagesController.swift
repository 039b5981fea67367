import CreneauDomain
import Foundation
import Hummingbird

/// What patients touch: the home page and search, a practitioner's page with the week's
/// slots, the booking form (the slot is held while it is filled), and the appointment's
/// page (confirmation, "add to calendar", cancel). Works without JavaScript.
struct PatientPagesController: Sendable {
    let directory: any DirectoryRepository
    let search: SlotSearch
    let booking: BookingService
    let relatives: Relatives
    let browser: BrowserSession
    let clock: Clock
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>
    /// Pages rendered once per version of what they show (`WebPages.render(cachedIn:…)`).
    let rendered = RenderedPages()

    static let searchDays = 7
    static let slotsPerResult = 4

    func register(on router: Router<AppRequestContext>) {
        router.get("/") { request, context in try await home(request, context) }
        router.get("/search") { request, context in try await results(request, context) }
        router.get("/practitioners/{id}") { request, context in try await practitioner(request, context) }
        router.post("/book/hold") { request, context in try await hold(request, context) }
        router.get("/book/{hold}") { request, context in try await bookingForm(request, context, fields: [:], error: nil, status: .ok) }
        router.post("/book/{hold}") { request, context in try await book(request, context) }
        router.get("/appointments/{id}") { request, context in try await appointment(request, context) }
        router.post("/appointments/{id}/cancel") { request, context in try await cancel(request, context) }
        router.get("/appointments/{id}/move") { request, context in try await moveChoices(request, context) }
        router.post("/appointments/{id}/move") { request, context in try await move(request, context) }
    }

    func pages() throws -> WebPages { try renderer.get() }
}
