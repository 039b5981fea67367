import Foundation

/// Holds: a slot kept while the form is filled, and whose it is.
extension BookingService {
    /// Keeps a slot for `holdDuration` while the patient fills in the form.
    /// A hold and the token that proves it is yours (needed when you are not signed in).
    public struct PlacedHold: Sendable {
        public let hold: Hold
        public let token: String
    }

    public func placeHold(practitionerID: UUID, motiveID: UUID, start: Date, channel: Channel, by booker: Booker) async throws -> PlacedHold {
        let now = deps.clock.now()
        guard booker.channels.contains(channel) else {
            throw BookingError.forbidden("Holding a slot \(channel.phrase) is for the hospital's staff and referring doctors, who sign in first.")
        }
        let offer = try await offer(practitionerID: practitionerID, motiveID: motiveID, now: now)
        guard booker.serves(offer.motive.departmentID) else { throw BookingError.notFound("This practitioner offers no motive with this id in the departments you serve.") }
        if !offer.motive.channels.contains(channel) {
            throw BookingError.refused(RuleViolation(.channelNotAllowed, "“\(offer.motive.name)” cannot be booked \(channel.phrase). \(offer.motive.channels.howToBook)"))
        }
        let slot = try await requireSlot(offer: offer, start: start, channel: channel, kind: nil, now: now, ignoring: [])
        let hold = Hold(
            id: deps.ids.next(), practitionerID: practitionerID, motiveID: motiveID, startsAt: slot.start, endsAt: slot.end,
            channel: channel, expiresAt: now.addingTimeInterval(holdDuration), createdAt: now, holderAccountID: booker.accountID)
        let token = deps.tokens.next()
        guard try await deps.bookings.place(hold, token: token, now: now) else {
            throw try await slotTaken(practitionerID: practitionerID, motive: offer.motive, channel: channel, after: start)
        }
        return PlacedHold(hold: hold, token: token)
    }

    static let noSuchHold = "There is no hold with this id, or it has expired."

    /// The hold, if it is this booker's: placed by their account, or its token given.
    /// Anyone else's hold does not exist for them (404), whether or not they guessed its id.
    public func ownedHold(id: UUID, by booker: Booker, token: String?) async throws -> Hold? {
        guard let hold = try await deps.bookings.hold(id: id) else { return nil }
        if let holder = hold.holderAccountID, holder == booker.accountID { return hold }
        if let token, !token.isEmpty, token.utf8.count <= 200, try await deps.bookings.holdTokenMatches(holdID: id, token: token) { return hold }
        return nil
    }

    public func releaseHold(id: UUID, by booker: Booker, token: String?) async throws {
        guard try await ownedHold(id: id, by: booker, token: token) != nil, try await deps.bookings.releaseHold(id: id, now: deps.clock.now()) else {
            throw BookingError.notFound(Self.noSuchHold)
        }
    }

    func requireHold(_ id: UUID, matches request: BookingRequest, by booker: Booker, now: Date) async throws {
        guard let hold = try await ownedHold(id: id, by: booker, token: request.holdToken), hold.expiresAt > now else {
            throw BookingError.refused(RuleViolation(.holdExpired, "The time kept for you has run out and the slot was released. Choose a slot again."))
        }
        guard hold.practitionerID == request.practitionerID, hold.motiveID == request.motiveID, hold.startsAt == request.start else {
            throw BookingError.refused(RuleViolation(.holdMismatch, "The slot kept for you is not the one in this booking. Book the slot you chose, or choose again."))
        }
    }
}
