import CreneauDomain
import Foundation
import Hummingbird

/// The week views of the agenda, and the free time and absences both views show.
extension StaffPagesController {
    /// "Free 10:30–12:00, 14:00–15:00" and "Absent 09:00–10:00" for a practitioner's day; nothing when there is none.
    static func freeAndAbsent(_ cell: StaffAgenda.Cell, _ zone: TimeZone, _ pages: WebPages, _ language: Language) -> [String: Any] {
        func spans(_ intervals: [Interval]) -> String {
            intervals.map { "\(PageFormat.time($0.start, zone, language))–\(PageFormat.time($0.end, zone, language))" }.joined(separator: ", ")
        }
        var values: [String: Any] = [:]
        if !cell.free.isEmpty { values["free"] = spans(cell.free) }
        if !cell.absences.isEmpty { values["absent"] = spans(cell.absences) }
        return values
    }

    /// A week: for a department, who has how many appointments and how much free time each day (no
    /// patient named); for one practitioner, every appointment of the week with its patient.
    func week(_ request: Request, _ context: AppRequestContext, departmentID: UUID, only: UUID?, week: LocalDate?, booker: Booker) async throws -> Response {
        let page = PageContext(request, context)
        let pages = try pages()
        let result = try await agenda.span(from: .week(holding: week), days: 7, departmentID: departmentID, practitionerID: only, patients: only != nil, by: booker)
        let monday = result.days[0], today = result.today
        let zoneOfSite = result.timeZone
        let base = "/staff/agenda?department=\(departmentID.json)" + (only.map { "&practitioner=\($0.json)" } ?? "")
        func noon(_ date: LocalDate) -> Date { date.instant(atMinute: 720, in: zoneOfSite) }
        func dayHref(_ date: LocalDate, _ practitioner: UUID?) -> String {
            "/staff/agenda?department=\(departmentID.json)" + (practitioner.map { "&practitioner=\($0.json)" } ?? "") + "&day=\(date.description)"
        }
        var values: [String: Any] = [
            "department": result.department.name, "week": PageFormat.day(noon(monday), zoneOfSite, page.language),
            "previous": "\(base)&week=\(monday.adding(days: -7).description)", "next": "\(base)&week=\(monday.adding(days: 7).description)",
            "thisWeek": "\(base)&week=\(today.description)", "dayHref": "\(base)&day=\(monday < today && today < monday.adding(days: 7) ? today : monday)",
            "wide": true,
        ]
        if let row = result.rows.first, only != nil {
            values["practitioner"] = row.practitioner.displayName
            values["detail"] = row.cells.map { cell -> [String: Any] in
                var values: [String: Any] = [
                    "day": PageFormat.day(noon(cell.date), zoneOfSite, page.language), "href": dayHref(cell.date, row.practitioner.id),
                    "hasEntries": !cell.entries.isEmpty,
                    "entries": cell.entries.map { entry -> [String: Any] in
                        var values: [String: Any] = [
                            "time": PageFormat.time(entry.appointment.startsAt, zoneOfSite, page.language),
                            "patient": entry.patient.map { "\($0.lastName.uppercased()) \($0.firstName)" } ?? "—",
                            "motive": entry.motive?.name ?? "", "online": entry.appointment.channel == .online,
                            "status": pages.text("status_" + entry.appointment.status.rawValue, page.language), "statusClass": entry.appointment.status.rawValue,
                        ]
                        if let reason = entry.appointment.reason, !reason.isEmpty { values["reason"] = reason }
                        return values
                    },
                ]
                values.merge(Self.freeAndAbsent(cell, zoneOfSite, pages, page.language)) { $1 }
                return values
            }
        } else {
            values["overview"] = true
            values["days"] = result.days.map { ["day": PageFormat.shortDay(noon($0), zoneOfSite, page.language), "href": dayHref($0, nil)] }
            values["rows"] = result.rows.map { row -> [String: Any] in
                [
                    "practitioner": row.practitioner.displayName,
                    "href": "/staff/agenda?department=\(departmentID.json)&practitioner=\(row.practitioner.id.json)&week=\(monday.description)",
                    "cells": row.cells.map { cell -> [String: Any] in
                        var values: [String: Any] = [
                            "href": dayHref(cell.date, row.practitioner.id),
                            "count": "\(cell.activeCount) \(pages.text("agenda_week_appointments", page.language))",
                        ]
                        if cell.freeMinutes > 0 {
                            let hours = cell.freeMinutes / 60, minutes = cell.freeMinutes % 60
                            values["free"] = "\(pages.text("agenda_free", page.language)) \(hours) h" + (minutes > 0 ? " \(minutes < 10 ? "0" : "")\(minutes)" : "")
                        }
                        if !cell.absences.isEmpty { values["absent"] = true }
                        // Nothing booked and nothing free: closed (or past), not "0 appointments".
                        if cell.activeCount == 0 && cell.freeMinutes == 0 { values["count"] = "—" }
                        return values
                    },
                ]
            }
        }
        let title = "\(pages.text("agenda_week_title", page.language)) \(PageFormat.day(noon(monday), zoneOfSite, page.language))"
        return try pages.render("agenda-week", page, title: "\(values["practitioner"] as? String ?? result.department.name) — \(title)", values: values)
    }
}
