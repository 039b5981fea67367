import Foundation

/// Offering freed slots: each pass ends the offers nobody answered in time and the entries whose
/// window has ended, then reads the change feed from where the last pass stopped and, for every
/// time given back on a practitioner's agenda, offers each free slot in it to the first waiting
/// patient it suits (urgent first, then by the time they joined) who may book it by the booking
/// rules. An offer holds the slot (a hold, like a patient filling in the form), and is sent by SMS
/// and/or email in the same transaction. Declined or lapsed, its hold is released and the time
/// comes back through the feed: the next pass offers it to the next patient. Any number of
/// instances may run passes: the database keeps one live offer per slot and per entry.
extension Waitlist {
    public struct Pass: Hashable, Sendable {
        public var lapsed = 0
        public var expired = 0
        public var offered = 0
        /// Live offers whose slot is gone, withdrawn (the patient told).
        public var withdrawn = 0
        /// Change events read.
        public var events = 0
    }

    /// One pass (see above). `batch`: change events read at most. `checkLive`: also withdraw the
    /// live offers whose slot is gone (an absence entered over it): a few reads per live offer,
    /// so the service does it every few seconds rather than every pass.
    public func offerFreedTime(batch: Int = 500, checkLive: Bool = true) async throws -> Pass {
        var pass = Pass()
        let now = deps.clock.now()
        pass.lapsed = try await deps.repository.lapseOffers(now: now).count
        pass.expired = try await deps.repository.expireEntries(now: now)
        if checkLive { pass.withdrawn = try await withdrawGone(now: now) }
        if let last = deps.releases.swap(now) { pass.offered += try await offerReleased(since: last, now: now) }
        let cursor = try await deps.repository.waitlistCursor()
        let events = try await deps.feed.changes(after: cursor, limit: batch)
        guard let last = events.last else { return pass }
        pass.events = events.count
        // The time freed per agenda, in the future only, in commit order.
        var freed: [UUID: [(from: Date, to: Date)]] = [:]
        var owners: [UUID] = []
        for event in events where event.kind == .capacityFreed && event.to > now {
            if freed[event.ownerID] == nil { owners.append(event.ownerID) }
            freed[event.ownerID, default: []].append((max(event.from, now), event.to))
        }
        for owner in owners {
            pass.offered += try await offer(freed: freed[owner] ?? [], on: owner, now: now)
        }
        _ = try await deps.repository.advanceWaitlistCursor(from: cursor, to: last.sequence)
        return pass
    }

    /// Held-back ranges released to more channels (online the day before at 18:00, say) since
    /// `last`: their time is offered like freed time, in the departments where someone waits.
    func offerReleased(since last: Date, now: Date) async throws -> Int {
        guard now > last else { return 0 }
        var windows: [UUID: [(from: Date, to: Date)]] = [:]
        for departmentID in try await deps.repository.waitingDepartments(now: now) {
            guard let department = try await deps.organisation.department(id: departmentID) else { continue }
            let zone = try await deps.organisation.site(id: department.siteID).flatMap { TimeZone(identifier: $0.timeZone) } ?? Site.defaultZone
            for template in try await deps.booking.deps.motives.templates(departmentID: departmentID) {
                guard case .practitioner(let owner) = template.owner else { continue }
                for range in template.ranges {
                    guard let release = range.release else { continue }
                    // The days whose release moment can fall between the two looks.
                    let first = LocalDate(last, in: zone).adding(days: release.daysBefore - 1)
                    let span = min(LocalDate(last, in: zone).days(until: LocalDate(now, in: zone)) + 3, 400)
                    for offset in 0..<max(1, span) {
                        let day = first.adding(days: offset)
                        guard day.isoWeekday == range.weekday, day >= template.validFrom, template.validUntil.map({ day <= $0 }) ?? true else { continue }
                        let moment = AvailabilityEngine.releaseMoment(of: release, for: day, in: zone)
                        guard moment > last, moment <= now else { continue }
                        windows[owner, default: []].append((day.instant(atMinute: range.startMinute, in: zone), day.instant(atMinute: range.endMinute, in: zone)))
                    }
                }
            }
        }
        var offered = 0
        for (owner, freed) in windows.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            offered += try await offer(freed: freed, on: owner, now: now)
        }
        return offered
    }

    /// Offers the free slots within `windows` on the agenda of `owner` (a practitioner; a room's
    /// agenda offers nothing by itself). How many offers were made.
    func offer(freed windows: [(from: Date, to: Date)], on owner: UUID, now: Date) async throws -> Int {
        guard let found = try await deps.booking.deps.directory.practitionerWithMotives(id: owner, now: now), !found.motives.isEmpty else { return 0 }
        let waiting = try await deps.repository.waitingEntries(motiveIDs: found.motives.map(\.id), now: now)
            .filter { !$0.busy && ($0.entry.practitionerID == nil || $0.entry.practitionerID == owner) }
            .map(\.entry)
            .sorted(by: WaitlistEntry.offeredBefore)
        guard !waiting.isEmpty else { return 0 }
        let start = windows.map(\.from).min() ?? now, end = windows.map(\.to).max() ?? now
        var served: Set<UUID> = [], offered = 0
        for motive in found.motives {
            let entries = waiting.filter { $0.motiveID == motive.id }
            guard !entries.isEmpty else { continue }
            guard let agenda = try await deps.availability.agendas([(owner, motive)], from: start.addingTimeInterval(-86_400), to: end.addingTimeInterval(86_400))[owner] else { continue }
            let zone = agenda.timeZone
            let firstDay = LocalDate(start, in: zone), lastDay = LocalDate(end, in: zone)
            // The slots of each channel the entries joined through (a caller's motive may be booked by phone only).
            var slotsByChannel: [Channel: [Slot]] = [:]
            for channel in Set(entries.map(\.channel)) {
                let request = AvailabilityRequest(motive: motive, channel: channel, from: firstDay, days: min(firstDay.days(until: lastDay) + 1, 366), now: now)
                slotsByChannel[channel] = AvailabilityEngine.slots(request, in: agenda)
                    .filter { slot in windows.contains { slot.start < $0.to && slot.end > $0.from } }
            }
            let starts = Set(slotsByChannel.values.flatMap { $0.map(\.start) }).sorted()
            slots: for slotStart in starts {
                guard let window = WaitlistRules.offerWindow(now: now, start: slotStart, standard: deps.offerWindow) else { continue }
                for entry in entries where !served.contains(entry.id) && entry.preferences.accepts(slotStart, in: zone, now: now) {
                    guard let slot = slotsByChannel[entry.channel]?.first(where: { $0.start == slotStart }) else { continue }
                    switch try await offer(slot, motive: motive, profile: found.profile, zone: zone, to: entry, window: window, now: now) {
                    case .placed?:
                        served.insert(entry.id)
                        offered += 1
                        continue slots
                    case .slotTaken?:
                        continue slots
                    case .entryBusy?, nil:
                        continue
                    }
                }
            }
        }
        return offered
    }

    /// Offers `slot` to `entry`: nil when the booking rules would refuse this patient this slot
    /// (too many visits booked, a rule changed since joining) or nobody can be reached.
    func offer(_ slot: Slot, motive: Motive, profile: PractitionerProfile, zone: TimeZone, to entry: WaitlistEntry, window: TimeInterval,
               now: Date) async throws -> OfferPlacement? {
        let booker = Booker(.waitlist(patientID: entry.patientID, channel: entry.channel))
        let request = BookingRequest(practitionerID: profile.practitioner.id, motiveID: motive.id, start: slot.start, patient: .existing(entry.patientID),
                                     channel: entry.channel, referringDoctorID: entry.referringDoctorID)
        do {
            _ = try await deps.booking.prepare(request, by: booker)
        } catch BookingError.slotTaken {
            return .slotTaken
        } catch is BookingError {
            return nil
        }
        guard let patient = try await deps.booking.deps.patients.patient(id: entry.patientID) else { return nil }
        let recipient = try await deps.booking.recipient(for: patient)
        let channels = entry.preferences.reach.channels.filter { recipient.channels.contains($0) }
        guard !channels.isEmpty else { return nil }

        let offer = WaitlistOffer(id: deps.ids.next(), entryID: entry.id, practitionerID: profile.practitioner.id, motiveID: motive.id,
                                  startsAt: slot.start, endsAt: slot.end, holdID: deps.ids.next(), offeredAt: now, expiresAt: now.addingTimeInterval(window))
        let hold = Hold(id: offer.holdID, practitionerID: offer.practitionerID, motiveID: motive.id, startsAt: slot.start, endsAt: slot.end,
                        channel: entry.channel, expiresAt: offer.expiresAt, createdAt: now)
        let site = Self.site(of: motive.departmentID, in: profile) ?? profile.sites.first
        let messages = try messages(offer, to: patient, recipient, channels: channels, practitioner: profile.practitioner.displayName, motive: motive.name,
                                    site: site, zone: zone, minutes: Int((window / 60).rounded()), ended: false, now: now)
        return try await deps.repository.placeOffer(offer, hold: hold, holdToken: holdToken(offer.id), messages: messages)
    }

    /// Withdraws the live offers the booking path would now refuse (the practitioner is away, the
    /// opening closed, the patient booked meanwhile): the offer ends, the patient is told kindly
    /// and keeps their place on the list.
    func withdrawGone(now: Date) async throws -> Int {
        var withdrawn = 0
        for offer in try await deps.repository.liveOffers(limit: 500) where offer.expiresAt > now {
            guard let entry = try await deps.repository.waitlistEntry(id: offer.entryID) else { continue }
            do {
                _ = try await prepareHeld(offer, for: entry)
                continue
            } catch BookingError.refused(let violation) where violation.code == .holdExpired {
                continue // its lapse ends it
            } catch is BookingError {}
            if try await deps.repository.endOffer(id: offer.id, state: .withdrawn, at: now, messages: try await endedMessages(offer, entry: entry, now: now)) {
                withdrawn += 1
            }
        }
        return withdrawn
    }

    /// "Sorry, the slot offered to you is no longer available; you keep your place", on the channels the offer went by.
    func endedMessages(_ offer: WaitlistOffer, entry: WaitlistEntry, now: Date) async throws -> [OutboxMessage] {
        guard let patient = try await deps.booking.deps.patients.patient(id: entry.patientID),
              let found = try await deps.booking.deps.directory.practitionerWithMotives(id: offer.practitionerID, now: now) else { return [] }
        let recipient = try await deps.booking.recipient(for: patient)
        let site = Self.site(of: entry.departmentID, in: found.profile)
        let motive = try await deps.booking.deps.motives.motive(id: offer.motiveID)
        return try messages(offer, to: patient, recipient, channels: entry.preferences.reach.channels.filter { recipient.channels.contains($0) },
                            practitioner: found.profile.practitioner.displayName, motive: motive?.name ?? "", site: site,
                            zone: site.flatMap { TimeZone(identifier: $0.timeZone) } ?? found.profile.timeZone, minutes: 0, ended: true, now: now)
    }

    /// An offer's messages (or, `ended`, its withdrawal's), one per channel, written now.
    func messages(_ offer: WaitlistOffer, to patient: Patient, _ recipient: NoticeRecipient, channels: [MessageChannel], practitioner: String, motive: String,
                  site: Site?, zone: TimeZone, minutes: Int, ended: Bool, now: Date) throws -> [OutboxMessage] {
        try channels.compactMap { channel in
            guard let address = recipient.address(channel) else { return nil }
            let words = try deps.renderer.renderOffer(OfferNoticeView(
                channel: channel, language: recipient.language, patientName: patient.displayName, practitionerName: practitioner, motiveName: motive,
                siteName: site?.name ?? "", siteAddress: site.map(NoticeComposer.address) ?? "",
                day: NoticeFormat.day(offer.startsAt, zone, recipient.language), time: NoticeFormat.time(offer.startsAt, zone),
                until: NoticeFormat.time(offer.expiresAt, zone), minutes: minutes, offerURL: offerURL(offer.id), ended: ended))
            return OutboxMessage(id: deps.ids.next(), dedupeKey: "\(ended ? "offer-ended" : "offer"):\(offer.id.uuidString.lowercased()):\(channel.rawValue)",
                                 channel: channel, kind: ended ? .offerEnded : .offer, recipient: address, subject: words.subject, body: words.text,
                                 nextAttemptAt: now, createdAt: now, offerID: offer.id)
        }
    }

    /// The site of `departmentID` among a practitioner's.
    static func site(of departmentID: UUID, in profile: PractitionerProfile) -> Site? {
        profile.sites.first { site in profile.departments.contains { $0.id == departmentID && $0.siteID == site.id } }
    }

    /// The booking the offer's patient would make with the offer's hold, checked by the booking path.
    func prepareHeld(_ offer: WaitlistOffer, for entry: WaitlistEntry) async throws -> BookingService.Prepared {
        let request = BookingRequest(practitionerID: offer.practitionerID, motiveID: offer.motiveID, start: offer.startsAt, patient: .existing(entry.patientID),
                                     channel: entry.channel, referringDoctorID: entry.referringDoctorID, holdID: offer.holdID, holdToken: holdToken(offer.id))
        return try await deps.booking.prepare(request, by: Booker(.waitlist(patientID: entry.patientID, channel: entry.channel)))
    }

    // MARK: The patient's answer

    /// The link in the offer's message: it is the patient's only key to the offer.
    public func offerURL(_ id: UUID) -> String {
        "\(deps.publicURL)/waitlist/offers/\(id.uuidString.lowercased())?t=\(offerToken(id))"
    }

    /// The token an offer's link carries (a signature of its id with the server's key).
    public func offerToken(_ id: UUID) -> String { deps.signer.signature(of: "waitlist-offer:\(id.uuidString.lowercased())") }
    func holdToken(_ id: UUID) -> String { deps.signer.signature(of: "waitlist-hold:\(id.uuidString.lowercased())") }

    /// An offer as its page shows it.
    public struct OfferDetails: Sendable {
        public var offer: WaitlistOffer
        public var entry: WaitlistEntry
        public var patientName: String
        public var practitionerName: String
        public var motiveName: String
        public var site: Site?
        public var timeZone: TimeZone
    }

    /// The offer behind a link; not found for a wrong token, whatever the id.
    public func details(offerID: UUID, token: String) async throws -> OfferDetails {
        let missing = BookingError.notFound("This offer does not exist, or its link is incomplete. Open the link from your message again.")
        guard token.utf8.count <= 200, ConstantTime.equals(token, offerToken(offerID)), let offer = try await deps.repository.offer(id: offerID),
              let entry = try await deps.repository.waitlistEntry(id: offer.entryID) else { throw missing }
        let now = deps.clock.now()
        var shown = offer
        if offer.state == .live && offer.expiresAt <= now {
            // Its time is up: ended now rather than at the next pass.
            _ = try await deps.repository.endOffer(id: offer.id, state: .lapsed, at: now)
            shown = try await deps.repository.offer(id: offerID) ?? offer
        }
        let found = try await deps.booking.deps.directory.practitionerWithMotives(id: offer.practitionerID, now: now)
        let motive = try await deps.booking.deps.motives.motive(id: offer.motiveID)
        let patient = try await deps.booking.deps.patients.patient(id: entry.patientID)
        let site = found.flatMap { Self.site(of: entry.departmentID, in: $0.profile) }
        return OfferDetails(offer: shown, entry: entry, patientName: patient?.displayName ?? "", practitionerName: found?.profile.practitioner.displayName ?? "",
                            motiveName: motive?.name ?? "", site: site, timeZone: site.flatMap { TimeZone(identifier: $0.timeZone) } ?? Site.defaultZone)
    }

    /// Why an offer can no longer be taken, in words.
    public static func ended(_ state: WaitlistOffer.State) -> RuleViolation {
        switch state {
        case .accepted:
            RuleViolation(.offerEnded, "This offer has already been accepted: the appointment is booked.")
        case .declined:
            RuleViolation(.offerEnded, "This offer was declined. You stay on the waiting list for the next slot.")
        case .lapsed, .live:
            RuleViolation(.offerEnded, "The time to answer this offer has passed and the slot went to the next patient. You stay on the waiting list.")
        case .withdrawn:
            RuleViolation(.offerEnded, "Sorry: this slot could not be kept for you (the agenda changed). You stay on the waiting list.")
        }
    }

    /// Takes the offered slot: booked through the booking path with the offer's hold; the offer is
    /// accepted and the entry closed in the booking's transaction; the confirmation follows.
    public func accept(offerID: UUID, token: String) async throws -> (appointment: Appointment, manageToken: String) {
        let details = try await details(offerID: offerID, token: token)
        let offer = details.offer, entry = details.entry
        guard offer.state == .live else { throw BookingError.refused(Self.ended(offer.state)) }
        var prepared: BookingService.Prepared
        do {
            prepared = try await prepareHeld(offer, for: entry)
        } catch BookingError.refused(let violation) where violation.code == .holdExpired {
            throw BookingError.refused(Self.ended(.lapsed))
        } catch is BookingError {
            // The slot can no longer be given to this patient: the offer ends, they keep their place.
            let now = deps.clock.now()
            _ = try await deps.repository.endOffer(id: offer.id, state: .withdrawn, at: now, messages: try await endedMessages(offer, entry: entry, now: now))
            throw BookingError.refused(Self.ended(.withdrawn))
        }
        prepared.write.acceptedOffer = (offer.id, entry.id)
        do {
            return (try await deps.booking.commit(prepared, idempotency: nil), prepared.manageToken)
        } catch BookingError.refused(let violation) where violation.code == .holdExpired {
            let now = try await deps.repository.offer(id: offer.id)
            throw BookingError.refused(Self.ended(now?.state == .live ? .lapsed : now?.state ?? .lapsed))
        }
    }

    /// Says no to this slot: it goes to the next patient; the entry keeps waiting.
    public func decline(offerID: UUID, token: String) async throws {
        let details = try await details(offerID: offerID, token: token)
        guard details.offer.state == .live, try await deps.repository.endOffer(id: offerID, state: .declined, at: deps.clock.now()) else {
            throw BookingError.refused(Self.ended(details.offer.state == .live ? .lapsed : details.offer.state))
        }
    }
}
