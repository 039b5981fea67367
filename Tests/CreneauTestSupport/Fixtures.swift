import CreneauDomain
import CreneauStorage
import Foundation

/// Deterministic ids and a fixed clock, and a small organisation to build on.
public enum Fixtures {
    /// Monday 23 November 2026, 08:00 in Paris.
    public static let now = Date(timeIntervalSince1970: 1_795_417_200)
    public static let today = LocalDate(year: 2026, month: 11, day: 23)!

    /// Ids 00000000-0000-4000-8000-000000000001, …002, … in order of calls.
    public final class IDs: @unchecked Sendable {
        private var counter = 0
        private let lock = NSLock()
        public init() {}
        public func next() -> UUID {
            lock.lock()
            defer { lock.unlock() }
            counter += 1
            return UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", counter))!
        }
    }

    /// A group, a site, a cardiology department, a practitioner in it, a room,
    /// a motive and a patient, all inserted.
    public struct Organisation: Sendable {
        public let group: HospitalGroup
        public let site: Site
        public let department: Department
        public let practitioner: Practitioner
        public let room: Resource
        public let motive: Motive
        public let patient: Patient
    }

    public static func organisation(in store: SQLStore, ids: IDs = IDs()) async throws -> Organisation {
        let group = HospitalGroup(id: ids.next(), name: "Groupe test", slug: "groupe-test-\(ids.next().uuidString.prefix(8))")
        let site = Site(id: ids.next(), groupID: group.id, name: "Hôpital Test", slug: "hopital-test-\(ids.next().uuidString.suffix(6))", city: "Paris")
        let department = Department(id: ids.next(), siteID: site.id, name: "Cardiologie", specialty: "cardiologie")
        let practitioner = Practitioner(id: ids.next(), title: "Dr", firstName: "Bérénice", lastName: "Lefèvre", profession: "Médecin", specialty: "cardiologie")
        let room = Resource(id: ids.next(), siteID: site.id, departmentID: department.id, kind: .room, name: "Salle d'échographie")
        let motive = Motive(id: ids.next(), departmentID: department.id, name: "Première consultation", durationMinutes: 30, patients: .new,
                            channels: [.online, .phone], instructionsBefore: "Apportez votre ECG.", requiredResourceIDs: [room.id])
        let patient = Patient(id: ids.next(), firstName: "Karim", lastName: "Benali", birthDate: LocalDate(year: 1945, month: 3, day: 2)!,
                              phone: "0600000000", createdAt: now)
        try await store.insert(group)
        try await store.insert(site)
        try await store.insert(department)
        try await store.insert(practitioner)
        try await store.insert(Membership(practitionerID: practitioner.id, departmentID: department.id))
        try await store.insert(room)
        try await store.insert(motive)
        try await store.insert(patient)
        return Organisation(group: group, site: site, department: department, practitioner: practitioner, room: room, motive: motive, patient: patient)
    }
}
