import CreneauDomain
import Foundation
import SQLKit

/// An appointment as stored: the same fields, with the patient's reason, the staff
/// notes and the cancellation reason sealed by the field cipher. Sealing binds each ciphertext
/// to its row and column, so a sealed reason copied onto another appointment
/// does not open.
struct AppointmentRow: SQLRecord {
    static let table = "appointments"
    var appointment: Appointment
    var reasonSealed: String?
    var notesSealed: String?
    var sealedKeyID: String?
    /// The cancellation reason, sealed with its own key id (it is written later than the others).
    var cancellationSealed: Sealed?
    /// A cancellation reason written before reasons were sealed (read, then sealed by `sealCancellationReasons`).
    var legacyCancellationReason: String?
    /// SHA-256 of the manage token given at booking; written once, never updated through this row.
    var manageTokenHash: String?

    var key: String { Column.id(appointment.id) }

    init(_ appointment: Appointment, cipher: FieldCipher) throws {
        self.appointment = appointment
        let reason = try appointment.reason.map { try cipher.seal($0, context: Self.context("reason", appointment.id)) }
        let notes = try appointment.notes.map { try cipher.seal($0, context: Self.context("notes", appointment.id)) }
        self.reasonSealed = reason?.ciphertext
        self.notesSealed = notes?.ciphertext
        self.sealedKeyID = reason?.keyID ?? notes?.keyID
        self.cancellationSealed = try Self.sealCancellation(appointment, cipher: cipher)
    }

    typealias Sealed = (ciphertext: String, keyID: String)

    static func sealCancellation(_ appointment: Appointment, cipher: FieldCipher) throws -> Sealed? {
        try appointment.cancellationReason.map { try cipher.seal($0, context: context("cancellation_reason", appointment.id)) }
    }

    init(row: any SQLRow) throws {
        self.appointment = Appointment(
            id: try row.uuid("id"), departmentID: try row.uuid("department_id"), motiveID: try row.uuid("motive_id"),
            practitionerID: try row.uuid("practitioner_id"), patientID: try row.uuid("patient_id"), resourceIDs: [],
            startsAt: try row.instant("starts_at"), endsAt: try row.instant("ends_at"), status: try row.enumeration("status"),
            channel: try row.enumeration("channel"), createdByAccountID: try row.optionalUUID("created_by_account_id"),
            referringDoctorID: try row.optionalUUID("referring_doctor_id"), reason: nil, notes: nil,
            cancelledBy: try row.optionalEnumeration("cancelled_by"), cancellationReason: nil,
            moveCount: try row.int("move_count"), createdAt: try row.instant("created_at"), updatedAt: try row.instant("updated_at"),
            // Read when the query selected it (`SELECT *`): a row read without it is written back without a kind.
            patientKind: ((try? row.decode(column: "patient_kind", as: String?.self)) ?? nil).flatMap(PatientKind.init(rawValue:)))
        self.reasonSealed = try row.optionalString("reason_sealed")
        self.notesSealed = try row.optionalString("notes_sealed")
        self.sealedKeyID = try row.optionalString("sealed_key_id")
        if let text = try row.optionalString("cancellation_reason_sealed"), let keyID = try row.optionalString("cancellation_key_id") {
            self.cancellationSealed = (text, keyID)
        }
        self.legacyCancellationReason = try row.optionalString("cancellation_reason")
    }

    /// The appointment with its texts opened.
    func opened(with cipher: FieldCipher) throws -> Appointment {
        var result = appointment
        if let reasonSealed, let sealedKeyID {
            result.reason = try cipher.open(reasonSealed, keyID: sealedKeyID, context: Self.context("reason", appointment.id))
        }
        if let notesSealed, let sealedKeyID {
            result.notes = try cipher.open(notesSealed, keyID: sealedKeyID, context: Self.context("notes", appointment.id))
        }
        if let cancellationSealed {
            result.cancellationReason = try cipher.open(
                cancellationSealed.ciphertext, keyID: cancellationSealed.keyID, context: Self.context("cancellation_reason", appointment.id))
        } else {
            result.cancellationReason = legacyCancellationReason
        }
        return result
    }

    var columns: [(String, SQLValue)] {
        let a = appointment
        return [
            ("id", key), ("department_id", Column.id(a.departmentID)), ("motive_id", Column.id(a.motiveID)),
            ("practitioner_id", Column.id(a.practitionerID)), ("patient_id", Column.id(a.patientID)),
            ("starts_at", Column.instant(a.startsAt)), ("ends_at", Column.instant(a.endsAt)), ("status", a.status.rawValue),
            ("channel", a.channel.rawValue), ("created_by_account_id", Column.id(a.createdByAccountID)),
            ("referring_doctor_id", Column.id(a.referringDoctorID)), ("reason_sealed", reasonSealed),
            ("notes_sealed", notesSealed), ("sealed_key_id", sealedKeyID), ("cancelled_by", a.cancelledBy?.rawValue),
            // The plain-text column of older rows is emptied by every write.
            ("cancellation_reason", String?.none), ("cancellation_reason_sealed", cancellationSealed?.ciphertext),
            ("cancellation_key_id", cancellationSealed?.keyID),
            ("move_count", a.moveCount), ("patient_kind", a.patientKind?.rawValue),
            ("created_at", Column.instant(a.createdAt)), ("updated_at", Column.instant(a.updatedAt)),
        ] + (manageTokenHash.map { [("manage_token_hash", $0 as SQLValue)] } ?? [])
    }

    static func context(_ field: String, _ id: UUID) -> String { "appointments.\(field):\(Column.id(id))" }
}
