import CreneauDomain
import Foundation
import SQLKit

extension Patient: SQLRecord {
    static let table = "patients"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("first_name", firstName), ("last_name", lastName), ("birth_date", birthDate.description),
         ("email", email), ("phone", phone), ("ipp", ipp), ("ins", ins), ("created_at", Column.instant(createdAt)), ("search_text", searchText),
         ("merged_into", Column.id(mergedInto)), ("language", language.rawValue), ("wants_email", wantsEmail), ("wants_sms", wantsSMS),
         ("sms_stopped_at", Column.instant(smsStoppedAt))]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), firstName: try row.string("first_name"), lastName: try row.string("last_name"),
            birthDate: try row.day("birth_date"), email: try row.optionalString("email"), phone: try row.optionalString("phone"),
            ipp: try row.optionalString("ipp"), ins: try row.optionalString("ins"), createdAt: try row.instant("created_at"),
            mergedInto: try row.optionalUUID("merged_into"), language: try row.enumeration("language"), wantsEmail: try row.bool("wants_email"),
            wantsSMS: try row.bool("wants_sms"), smsStoppedAt: try row.optionalInstant("sms_stopped_at"))
    }
}

extension ManagedPatient: SQLRecord {
    static let table = "managed_patients"
    static let keyColumn = "account_id"
    var key: String { Column.id(accountID) }
    var columns: [(String, SQLValue)] {
        [("account_id", key), ("patient_id", Column.id(patientID)), ("relationship", relationship.rawValue),
         ("removed_at", Column.instant(removedAt))]
    }
    init(row: any SQLRow) throws {
        self.init(
            accountID: try row.uuid("account_id"), patientID: try row.uuid("patient_id"), relationship: try row.enumeration("relationship"),
            removedAt: try row.optionalInstant("removed_at"))
    }
}

extension KnownPatient: SQLRecord {
    static let table = "known_patients"
    static let keyColumn = "patient_id"
    var key: String { Column.id(patientID) }
    var columns: [(String, SQLValue)] {
        [("department_id", Column.id(departmentID)), ("patient_id", key), ("source", source.rawValue), ("since", Column.instant(since))]
    }
    init(row: any SQLRow) throws {
        self.init(
            departmentID: try row.uuid("department_id"), patientID: try row.uuid("patient_id"),
            source: try row.enumeration("source"), since: try row.instant("since"))
    }
}

extension Account: SQLRecord {
    static let table = "accounts"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("email", email), ("display_name", displayName), ("password_hash", passwordHash),
         ("email_verified_at", Column.instant(emailVerifiedAt)), ("practitioner_id", Column.id(practitionerID)),
         ("referring_doctor_id", Column.id(referringDoctorID)), ("created_at", Column.instant(createdAt)),
         ("disabled_at", Column.instant(disabledAt)), ("language", language.rawValue)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), email: try row.string("email"), displayName: try row.string("display_name"),
            passwordHash: try row.optionalString("password_hash"), emailVerifiedAt: try row.optionalInstant("email_verified_at"),
            practitionerID: try row.optionalUUID("practitioner_id"), referringDoctorID: try row.optionalUUID("referring_doctor_id"),
            createdAt: try row.instant("created_at"), disabledAt: try row.optionalInstant("disabled_at"),
            language: try row.enumeration("language"))
    }
}

extension RoleGrant: SQLRecord {
    static let table = "role_grants"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        var group: String?, site: String?, department: String?
        switch scope {
        case .everywhere: break
        case .group(let id): group = Column.id(id)
        case .site(let id): site = Column.id(id)
        case .department(let id): department = Column.id(id)
        }
        return [("id", key), ("account_id", Column.id(accountID)), ("role", role.rawValue),
                ("group_id", group), ("site_id", site), ("department_id", department)]
    }
    init(row: any SQLRow) throws {
        let scope: Scope
        if let group = try row.optionalUUID("group_id") {
            scope = .group(group)
        } else if let site = try row.optionalUUID("site_id") {
            scope = .site(site)
        } else if let department = try row.optionalUUID("department_id") {
            scope = .department(department)
        } else {
            scope = .everywhere
        }
        self.init(id: try row.uuid("id"), accountID: try row.uuid("account_id"), role: try row.enumeration("role"), scope: scope)
    }
}

extension ReferringDoctor: SQLRecord {
    static let table = "referring_doctors"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("national_id", nationalID), ("first_name", firstName), ("last_name", lastName),
         ("profession", profession), ("specialty", specialty), ("city", city), ("postal_code", postalCode),
         ("search_text", searchText), ("name_key", nameKey), ("first_name_key", firstNameKey), ("town_key", townKey)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), nationalID: try row.string("national_id"), firstName: try row.string("first_name"),
            lastName: try row.string("last_name"), profession: try row.string("profession"),
            specialty: try row.string("specialty"), city: try row.string("city"), postalCode: try row.string("postal_code"))
    }
}

extension AppointmentEvent: SQLRecord {
    static let table = "appointment_events"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("appointment_id", Column.id(appointmentID)), ("at", Column.instant(at)),
         ("actor_account_id", Column.id(actorAccountID)), ("channel", channel?.rawValue), ("action", action.rawValue),
         ("before_state", before), ("after_state", after)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), appointmentID: try row.uuid("appointment_id"), at: try row.instant("at"),
            actorAccountID: try row.optionalUUID("actor_account_id"), channel: try row.optionalEnumeration("channel"),
            action: try row.enumeration("action"), before: try row.optionalString("before_state"),
            after: try row.optionalString("after_state"))
    }
}

extension AccessAuditEntry: SQLRecord {
    static let table = "access_audit"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("at", Column.instant(at)), ("actor_account_id", Column.id(actorAccountID)), ("action", action),
         ("patient_id", Column.id(patientID)), ("target", target), ("outcome", outcome.rawValue)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), at: try row.instant("at"), actorAccountID: try row.optionalUUID("actor_account_id"),
            action: try row.string("action"), patientID: try row.optionalUUID("patient_id"), target: try row.string("target"),
            outcome: try row.enumeration("outcome"))
    }
}

/// A survey answer as seeded (demo data carries no comment; the live path seals comments in `saveAnswer`).
extension SurveyAnswer: SQLRecord {
    static let table = "survey_answers"
    static let keyColumn = "appointment_id"
    var key: String { Column.id(appointmentID) }
    var columns: [(String, SQLValue)] {
        [("appointment_id", key), ("practitioner_id", Column.id(practitionerID)), ("department_id", Column.id(departmentID)), ("score", score),
         ("answered_at", Column.instant(answeredAt))]
    }
    init(row: any SQLRow) throws {
        self.init(appointmentID: try row.uuid("appointment_id"), practitionerID: try row.uuid("practitioner_id"), departmentID: try row.uuid("department_id"),
                  score: try row.int("score"), comment: nil, answeredAt: try row.instant("answered_at"))
    }
}
