import Foundation

/// What adding an entry came to.
public enum WaitlistJoin: Hashable, Sendable {
    case joined
    /// The patient already waits for this motive (with this practitioner, or any).
    case alreadyWaiting
    /// The patient already waits for `WaitlistRules.maximumWaiting` things.
    case limitReached
}

/// What placing an offer came to: the database decides, with any number of instances.
public enum OfferPlacement: Hashable, Sendable {
    case placed
    /// The slot is held or booked (another offer, a patient filling in the form, a booking).
    case slotTaken
    /// The entry has a live offer already, or was offered this slot before.
    case entryBusy
}

/// An entry with the offers it was made, for the pages.
public struct WaitlistItem: Hashable, Sendable {
    public var entry: WaitlistEntry
    public var offers: [WaitlistOffer]

    public init(entry: WaitlistEntry, offers: [WaitlistOffer]) {
        self.entry = entry
        self.offers = offers
    }
}

public protocol WaitlistRepository: Sendable {
    /// Adds the entry unless the patient already waits for the same thing or for `limit` things
    /// (checked and written in one transaction, the patient's row locked on PostgreSQL).
    func join(_ entry: WaitlistEntry, limit: Int) async throws -> WaitlistJoin
    func waitlistEntry(id: UUID) async throws -> WaitlistEntry?
    /// These patients' entries, waiting ones first then the newest, with their offers.
    func waitlistItems(patientIDs: [UUID], limit: Int) async throws -> [WaitlistItem]
    /// A department's entries: the waiting ones in the order they are offered, then the last
    /// closed ones, with their offers.
    func departmentWaitlist(departmentID: UUID, limit: Int) async throws -> [WaitlistItem]
    /// Closes a waiting entry (cancelled, expired): a live offer of it ends (withdrawn), its hold
    /// released. False when it was not waiting.
    func closeEntry(id: UUID, state: WaitlistEntry.State, at: Date) async throws -> Bool
    func setUrgent(id: UUID, urgent: Bool) async throws -> Bool
    /// The departments where someone waits (whose window has not ended).
    func waitingDepartments(now: Date) async throws -> [UUID]
    /// Waiting entries for these motives whose window has not ended, each with whether it has a live offer.
    func waitingEntries(motiveIDs: [UUID], now: Date) async throws -> [(entry: WaitlistEntry, busy: Bool)]

    /// In one transaction: the hold (occupying the slot like any hold), the offer, its messages.
    func placeOffer(_ offer: WaitlistOffer, hold: Hold, holdToken: String, messages: [OutboxMessage]) async throws -> OfferPlacement
    func offer(id: UUID) async throws -> WaitlistOffer?
    /// Ends a live offer as `state` (declined, withdrawn, lapsed): its hold released and the time
    /// given back to the change feed, so the next waiter is offered it; `messages` (telling the
    /// patient) written in the same transaction. False when it was not live.
    func endOffer(id: UUID, state: WaitlistOffer.State, at: Date, messages: [OutboxMessage]) async throws -> Bool
    /// The live offers, soonest to lapse first.
    func liveOffers(limit: Int) async throws -> [WaitlistOffer]
    /// Live offers whose time is up, ended as lapsed (see `endOffer`).
    func lapseOffers(now: Date) async throws -> [WaitlistOffer]
    /// Waiting entries whose window has ended, closed as expired.
    func expireEntries(now: Date) async throws -> Int
    /// The live offers among these (the sender does not send an offer that ended before it left).
    func liveOffers(ids: [UUID]) async throws -> Set<UUID>

    /// Which of these appointments were booked by accepting an offer (the agenda marks them).
    func refilled(appointmentIDs: [UUID]) async throws -> Set<UUID>

    /// The change feed position the offering has handled.
    func waitlistCursor() async throws -> Int64
    /// Moves the position from `from` to `to`; false when another instance moved it meanwhile.
    func advanceWaitlistCursor(from: Int64, to: Int64) async throws -> Bool
}

extension WaitlistRepository {
    public func endOffer(id: UUID, state: WaitlistOffer.State, at: Date) async throws -> Bool {
        try await endOffer(id: id, state: state, at: at, messages: [])
    }
}

/// What an offer message says, in the patient's language and the site's zone.
public struct OfferNoticeView: Sendable {
    public var channel: MessageChannel
    public var language: Language
    public var patientName: String
    public var practitionerName: String
    public var motiveName: String
    public var siteName: String
    public var siteAddress: String
    public var day: String
    public var time: String
    /// Until when the slot is kept ("10:45").
    public var until: String
    public var minutes: Int
    public var offerURL: String
    /// The offer is withdrawn: its slot is gone (the message says sorry, and that they keep their place).
    public var ended: Bool

    public init(channel: MessageChannel, language: Language, patientName: String, practitionerName: String, motiveName: String, siteName: String,
                siteAddress: String, day: String, time: String, until: String, minutes: Int, offerURL: String, ended: Bool = false) {
        self.ended = ended
        self.channel = channel
        self.language = language
        self.patientName = patientName
        self.practitionerName = practitionerName
        self.motiveName = motiveName
        self.siteName = siteName
        self.siteAddress = siteAddress
        self.day = day
        self.time = time
        self.until = until
        self.minutes = minutes
        self.offerURL = offerURL
    }
}

/// Writes an offer's message (the templates live with the transports).
public protocol OfferMessageRenderer: Sendable {
    /// The subject and text of an email; for an SMS, its text (subject empty).
    func renderOffer(_ view: OfferNoticeView) throws -> (subject: String, text: String)
}
