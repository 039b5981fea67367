import CreneauDomain
import Foundation
import Hummingbird

/// `GET /api/v1/practitioners` and `GET /api/v1/practitioners/{id}/motives`.
struct PractitionersController: Sendable {
    let directory: any DirectoryRepository
    let clock: Clock

    func register(on router: Router<AppRequestContext>) {
        router.get("/api/v1/practitioners") { request, _ in try await self.search(request) }
        router.get("/api/v1/practitioners/{id}") { request, context in try await self.show(request, context: context) }
        router.get("/api/v1/practitioners/{id}/motives") { request, context in try await self.motives(request, context: context) }
    }

    func search(_ request: Request) async throws -> Response {
        let query = QueryParameters(request: request)
        let site = try await query.siteID(in: directory)
        let limit = try query.integer("limit", default: 50, in: 1...500, explanation: "how many practitioners to return")
        let profiles = try await directory.searchPractitioners(query: query.string("q"), specialty: query.string("specialty"), siteID: site, limit: limit)
        return try JSON.response(["practitioners": profiles.map(PractitionerJSON.init)])
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let profile = try await profile(context)
        return try JSON.response(PractitionerJSON(profile))
    }

    func motives(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try QueryParameters.pathID(context.parameters.get("id") ?? "", what: "practitioner")
        guard let offer = try await directory.practitionerWithMotives(id: id, now: clock.now()) else {
            throw APIError.notFound("No practitioner has this id.")
        }
        return try JSON.response(["motives": offer.motives.map(MotiveJSON.init)])
    }

    func profile(_ context: AppRequestContext) async throws -> PractitionerProfile {
        let text = context.parameters.get("id") ?? ""
        let id = try QueryParameters.pathID(text, what: "practitioner")
        guard let profile = try await directory.practitionerProfile(id: id) else {
            throw APIError.notFound("No practitioner has this id.")
        }
        return profile
    }

}

extension QueryParameters {
    /// An id in the path: malformed is "no such thing" (404), like an unknown one.
    static func pathID(_ text: String, what: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw APIError.notFound("No \(what) has this id.") }
        return id
    }
}
