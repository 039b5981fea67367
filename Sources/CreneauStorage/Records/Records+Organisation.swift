import CreneauDomain
import Foundation
import SQLKit

extension HospitalGroup: SQLRecord {
    static let table = "hospital_groups"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] { [("id", key), ("name", name), ("slug", slug)] }
    init(row: any SQLRow) throws {
        self.init(id: try row.uuid("id"), name: try row.string("name"), slug: try row.string("slug"))
    }
}

extension Site: SQLRecord {
    static let table = "sites"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("group_id", Column.id(groupID)), ("name", name), ("slug", slug), ("city", city), ("time_zone", timeZone),
         ("address", address), ("phone", phone), ("holiday_calendar", holidayCalendar.rawValue), ("is_active", isActive),
         ("reminders", reminders?.description), ("noshow_limit", noShowPolicy?.limit), ("noshow_window_days", noShowPolicy?.windowDays ?? 365)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), groupID: try row.uuid("group_id"), name: try row.string("name"),
            slug: try row.string("slug"), city: try row.string("city"), timeZone: try row.string("time_zone"),
            address: try row.string("address"), phone: try row.string("phone"), holidayCalendar: try row.enumeration("holiday_calendar"),
            isActive: try row.bool("is_active"), reminders: Motive.reminders(row), noShowPolicy: Self.noShowPolicy(row))
    }

    /// Nil when the site has no rule (or the query did not select it).
    static func noShowPolicy(_ row: any SQLRow) -> NoShowPolicy? {
        guard let limit = (try? row.optionalInt("noshow_limit")) ?? nil else { return nil }
        return NoShowPolicy(limit: limit, windowDays: (try? row.int("noshow_window_days")) ?? 365)
    }
}

extension Department: SQLRecord {
    static let table = "departments"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("site_id", Column.id(siteID)), ("name", name), ("specialty", specialty),
         ("max_future_per_patient", maxFutureAppointmentsPerPatient), ("same_specialty_gap_days", sameSpecialtyGapDays),
         ("online_booking", onlineBooking), ("new_patients_need_referral", newPatientsNeedReferral), ("is_active", isActive)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), siteID: try row.uuid("site_id"), name: try row.string("name"),
            specialty: try row.string("specialty"),
            maxFutureAppointmentsPerPatient: try row.int("max_future_per_patient"),
            sameSpecialtyGapDays: try row.int("same_specialty_gap_days"), onlineBooking: try row.bool("online_booking"),
            newPatientsNeedReferral: try row.bool("new_patients_need_referral"), isActive: try row.bool("is_active"))
    }
}

extension PublicHoliday: SQLRecord {
    static let table = "public_holidays"
    static let keyColumn = "site_id"
    var key: String { Column.id(siteID) }
    var columns: [(String, SQLValue)] { [("site_id", key), ("day", date.description), ("name", name)] }
    init(row: any SQLRow) throws {
        self.init(siteID: try row.uuid("site_id"), date: try row.day("day"), name: try row.string("name"))
    }
}

extension Practitioner: SQLRecord {
    static let table = "practitioners"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("title", title), ("first_name", firstName), ("last_name", lastName), ("search_name", searchName),
         ("profession", profession), ("specialty", specialty), ("rpps", rpps), ("languages", languages.joined(separator: ",")),
         ("skills", skills), ("is_active", isActive)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), title: try row.string("title"), firstName: try row.string("first_name"),
            lastName: try row.string("last_name"), profession: try row.string("profession"),
            specialty: try row.string("specialty"), rpps: try row.optionalString("rpps"),
            languages: try row.string("languages").split(separator: ",").map(String.init), skills: try row.string("skills"))
        isActive = try row.bool("is_active")
    }
}

extension Membership: SQLRecord {
    static let table = "memberships"
    static let keyColumn = "practitioner_id"
    var key: String { Column.id(practitionerID) }
    var columns: [(String, SQLValue)] { [("practitioner_id", key), ("department_id", Column.id(departmentID))] }
    init(row: any SQLRow) throws {
        self.init(practitionerID: try row.uuid("practitioner_id"), departmentID: try row.uuid("department_id"))
    }
}

extension Resource: SQLRecord {
    static let table = "resources"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("site_id", Column.id(siteID)), ("department_id", Column.id(departmentID)), ("kind", kind.rawValue),
         ("name", name), ("capacity", capacity), ("is_active", isActive)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), siteID: try row.uuid("site_id"), departmentID: try row.optionalUUID("department_id"),
            kind: try row.enumeration("kind"), name: try row.string("name"), capacity: try row.int("capacity"))
        isActive = try row.bool("is_active")
    }
}
