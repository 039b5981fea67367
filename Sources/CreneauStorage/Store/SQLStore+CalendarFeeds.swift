import CreneauDomain
import Foundation
import SQLKit

/// Calendar feeds: tokens stored hashed (SHA-256), one live feed per owner (a partial unique index).
extension SQLStore: CalendarFeedRepository {
    static func ownerColumns(_ owner: CalendarFeed.Owner) -> (practitioner: String?, department: String?) {
        switch owner {
        case .practitioner(let id): (Column.id(id), nil)
        case .department(let id): (nil, Column.id(id))
        }
    }

    static func ownerCondition(_ owner: CalendarFeed.Owner) -> SQLQueryString {
        switch owner {
        case .practitioner(let id): "practitioner_id = \(bind: Column.id(id))"
        case .department(let id): "department_id = \(bind: Column.id(id))"
        }
    }

    func calendarFeed(_ row: any SQLRow) throws -> CalendarFeed {
        let owner: CalendarFeed.Owner
        if let practitioner = try row.optionalUUID("practitioner_id") { owner = .practitioner(practitioner) } else { owner = .department(try row.uuid("department_id")) }
        return CalendarFeed(id: try row.uuid("id"), owner: owner, fullNames: try row.bool("full_names"), createdBy: try row.optionalUUID("created_by"),
                            createdAt: try row.instant("created_at"))
    }

    public func liveFeed(_ owner: CalendarFeed.Owner) async throws -> CalendarFeed? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM calendar_feeds WHERE \(Self.ownerCondition(owner)) AND revoked_at IS NULL").first().map(calendarFeed)
        }
    }

    public func renewFeed(_ feed: CalendarFeed, token: String) async throws {
        let (practitioner, department) = Self.ownerColumns(feed.owner)
        try await database.transaction { db in
            try await db.raw("""
                UPDATE calendar_feeds SET revoked_at = \(bind: Column.instant(feed.createdAt)) WHERE \(Self.ownerCondition(feed.owner)) AND revoked_at IS NULL
                """).run()
            try await db.raw("""
                INSERT INTO calendar_feeds (id, practitioner_id, department_id, token_hash, full_names, created_by, created_at)
                VALUES (\(bind: Column.id(feed.id)), \(bind: practitioner), \(bind: department), \(bind: Self.tokenHash(token)), \(bind: feed.fullNames),
                        \(bind: Column.id(feed.createdBy)), \(bind: Column.instant(feed.createdAt)))
                """).run()
        }
    }

    public func revokeFeed(_ owner: CalendarFeed.Owner, at: Date) async throws -> Bool {
        try await database.withConnection { db in
            !(try await db.raw("""
                UPDATE calendar_feeds SET revoked_at = \(bind: Column.instant(at)) WHERE \(Self.ownerCondition(owner)) AND revoked_at IS NULL RETURNING id
                """).all().isEmpty)
        }
    }

    public func feed(token: String) async throws -> CalendarFeed? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM calendar_feeds WHERE token_hash = \(bind: Self.tokenHash(token)) AND revoked_at IS NULL").first().map(calendarFeed)
        }
    }
}
