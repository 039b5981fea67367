import CreneauDomain
import Foundation
import Hummingbird

/// `GET /api/v1/patients/{id}/audit`: who read or was refused a patient's data, for site and group admins.
struct AuditController: Sendable {
    let audit: any AuditRepository
    let clock: Clock
    let ids: IDGenerator

    struct EntryJSON: Encodable {
        let at: String
        let actor: String?
        let action: String
        let target: String
        let outcome: String
    }

    struct EntriesJSON: Encodable {
        let patient: String
        let entries: [EntryJSON]
    }

    func register(on router: Router<AppRequestContext>) {
        router.group(context: StaffContext.self).get("/api/v1/patients/{id}/audit") { _, context in
            guard let text = context.parameters.get("id"), let patientID = UUID(uuidString: text) else {
                throw APIError.notFound("No patient has this id.")
            }
            // Reading the history is itself an access to the patient's data, allowed or not.
            func record(_ outcome: AuditOutcome) async throws {
                try await audit.append(AccessAuditEntry(
                    id: ids.next(), at: clock.now(), actorAccountID: context.identity.account.id, action: "read_audit",
                    patientID: patientID, target: "patient:\(patientID.uuidString.lowercased())", outcome: outcome))
            }
            guard !context.identity.roles.isDisjoint(with: [.siteAdmin, .groupAdmin]) else {
                try await record(.denied)
                throw APIError(.forbidden, code: "admins_only", message: "The access history of a patient is for site and group administrators.")
            }
            let entries = try await audit.entries(patientID: patientID)
            try await record(.allowed)
            let utc = TimeZone.gmt
            return try JSON.response(EntriesJSON(patient: patientID.json, entries: entries.map {
                EntryJSON(at: RFC3339.format($0.at, in: utc), actor: $0.actorAccountID?.json, action: $0.action, target: $0.target, outcome: $0.outcome.rawValue)
            }))
        }
    }
}
