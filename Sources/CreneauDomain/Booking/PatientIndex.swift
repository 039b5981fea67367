import Foundation

/// The hospital's patient index, kept clean by its staff: the records that look like one
/// person twice, merging them (audited; the duplicate stays, marked, for its history), marking
/// a patient known to a department, and importing the hospital's own index.
public struct PatientIndex: Sendable {
    let index: any PatientIndexRepository
    let audit: any AuditRepository
    let clock: Clock
    let ids: IDGenerator

    public init(index: any PatientIndexRepository, audit: any AuditRepository, clock: Clock, ids: IDGenerator) {
        self.index = index
        self.audit = audit
        self.clock = clock
        self.ids = ids
    }

    /// Identity work is the secretaries' and administrators' (a practitioner books and treats).
    static func mayManageIdentities(_ booker: Booker) -> Bool {
        guard case .staff(_, let role) = booker.kind else { return false }
        return role != .practitioner
    }

    /// Records with the same name and birth date, to look at and perhaps merge. Each listed record is audited.
    public func duplicates(by booker: Booker, limit: Int = 100) async throws -> [[Patient]] {
        guard Self.mayManageIdentities(booker) else { throw BookingError.forbidden("Duplicates are handled by the hospital's secretaries and administrators.") }
        let groups = try await index.likelyDuplicates(limit: limit)
        try await audit.append(contentsOf: groups.joined().map { entry("list_duplicates", $0.id, by: booker) })
        return groups
    }

    /// Makes `duplicate` part of `keep`: its appointments, departments and account links move;
    /// it stays, marked merged, so that its history and audit trail remain.
    public func merge(_ duplicate: UUID, into keep: UUID, by booker: Booker) async throws -> PatientMergeResult {
        guard Self.mayManageIdentities(booker) else { throw BookingError.forbidden("Merging records is for the hospital's secretaries and administrators.") }
        guard duplicate != keep else {
            throw BookingError.refused(RuleViolation(.invalidPatient, "Choose two different records: the one to keep and its duplicate."))
        }
        var audited = entry("merge_patients", duplicate, by: booker)
        audited.target = "patient:\(keep.uuidString.lowercased())"
        do {
            return try await index.merge(duplicate, into: keep, at: clock.now(), audit: audited)
        } catch RepositoryError.notFound {
            throw BookingError.notFound("One of these records does not exist or was already merged.")
        } catch PatientMergeRefused.bothHoldAccounts {
            throw BookingError.invalidTransition("Both records hold their own patient account. Ask the patient which account to keep and close the other first.")
        }
    }

    /// "This patient is followed here": follow-up motives reserved to known patients open to them.
    public func markKnown(patientID: UUID, departmentID: UUID, by booker: Booker) async throws -> Bool {
        guard booker.isStaff, booker.serves(departmentID) else { throw BookingError.forbidden("Only the department's staff say who it follows.") }
        do {
            let added = try await index.markKnown(KnownPatient(departmentID: departmentID, patientID: patientID, source: .markedByStaff, since: clock.now()))
            if added { try await audit.append(entry("mark_known", patientID, by: booker)) }
            return added
        } catch RepositoryError.missingReference {
            throw BookingError.notFound("No patient or department has this id.")
        }
    }

    /// One batch of the hospital's index, in one transaction (the import command streams the file in batches).
    public func importBatch(_ rows: [PatientIndexRow]) async throws -> PatientIndexCounts {
        try await index.importIndex(rows, at: clock.now())
    }

    func entry(_ action: String, _ patientID: UUID, by booker: Booker) -> AccessAuditEntry {
        AccessAuditEntry(
            id: ids.next(), at: clock.now(), actorAccountID: booker.accountID, action: action, patientID: patientID,
            target: "patient:\(patientID.uuidString.lowercased())", outcome: .allowed)
    }
}
