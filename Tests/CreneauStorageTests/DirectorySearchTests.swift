import CreneauDomain
import CreneauSeed
import CreneauStorage
import CreneauTestSupport
import Foundation
import Logging
import Testing

@Suite("The patients' search box: names, specialties, motives, sites and cities")
struct DirectorySearchTests {
    @Test("'cardiologie', 'vaccination', 'kine avoine' find practitioners; a name comes first; the database and the cache agree")
    func wideSearch() async throws {
        try await TestDatabase.with { test in
            _ = try await Seeder(store: test.store, logger: Logger(label: "test")).seed(
                SeedOptions(profile: .avoine, seed: 5, today: Fixtures.today, now: Fixtures.now, demoPasswordHash: "x"))
            let cache = CachedDirectory(store: test.store, clock: .fixed(Fixtures.now))
            for query in ["cardiologie", "Vaccination", "kiné avoine", "morel", "zzz", "pédiatrie avoine", "e"] {
                let direct = try await test.store.searchPractitioners(query: query, specialty: nil, siteID: nil, limit: 50)
                let cached = try await cache.searchPractitioners(query: query, specialty: nil, siteID: nil, limit: 50)
                #expect(direct == cached, "\(query)")
            }
            let cardiology = try await cache.searchPractitioners(query: "cardiologie", specialty: nil, siteID: nil, limit: 50)
            #expect(cardiology.count == 2)
            #expect(cardiology.allSatisfy { $0.departments.contains { $0.specialty == "cardiologie" } })
            // "Vaccination" is a motive of paediatrics (and of nobody's name).
            let vaccination = try await cache.searchPractitioners(query: "Vaccination", specialty: nil, siteID: nil, limit: 50)
            #expect(!vaccination.isEmpty && vaccination.allSatisfy { $0.departments.contains { $0.specialty == "pediatrie" } })
            let physio = try await cache.searchPractitioners(query: "kiné avoine", specialty: nil, siteID: nil, limit: 50)
            #expect(physio.count == 5)
            #expect(try await cache.searchPractitioners(query: "zzz", specialty: nil, siteID: nil, limit: 50).isEmpty)

            // Someone named like a specialty's word is listed before the specialty's practitioners.
            let morel = try #require(try await cache.searchPractitioners(query: "paul morel", specialty: nil, siteID: nil, limit: 1).first)
            var named = morel.practitioner
            named.lastName = "Cardiologue"
            try await test.store.update(named)
            let ranked = try await cache.searchPractitioners(query: "cardiolog", specialty: nil, siteID: nil, limit: 50)
            #expect(ranked.first?.practitioner.id == named.id)
            #expect(ranked.count == 3)
        }
    }
}
