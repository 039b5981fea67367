import CreneauDomain
import Foundation
import Hummingbird

/// A patient's copy of their data (`PatientDataExport`): `GET /api/v1/me/data` (JSON) and
/// `GET /account/data.json` (the same, as a file the account page links to).
struct PatientDataController: Sendable {
    let export: PatientDataExport
    let clock: Clock

    func register(on router: Router<AppRequestContext>) {
        let patient = router.group(context: PatientContext.self)
        patient.get("/api/v1/me/data") { _, context in try await answer(context, download: false) }
        patient.get("/account/data.json") { _, context in try await answer(context, download: true) }
    }

    func answer(_ context: PatientContext, download: Bool) async throws -> Response {
        guard let data = try await export.export(accountID: context.identity.account.id) else {
            throw APIError.notFound("This account no longer exists.")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if download {
            headers[.contentDisposition] = "attachment; filename=\"creneau-donnees-\(LocalDate(clock.now(), in: Site.defaultZone)).json\""
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(data))))
    }
}
