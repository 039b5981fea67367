@testable import CreneauDomain
import CreneauSeed
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

@Suite("The national directory (RPPS): streamed import, idempotent re-import, inactive professionals, search")
struct ProfessionalDirectoryTests {
    /// A generated extract, written to a temporary file and read back in small chunks (so that lines
    /// are cut across reads, as they are in a real file).
    static func extract(_ generator: RPPSExtractGenerator) throws -> Data {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rpps-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        try generator.write(to: handle)
        try handle.close()
        return try Data(contentsOf: url)
    }

    static func importing(_ data: Data, into store: SQLStore, at now: Date = Fixtures.now, chunk: Int = 4_099,
                          deactivateMissing: Bool = false) async throws -> RPPSImport.Report {
        var offset = 0
        return try await RPPSImport(directory: store, clock: .fixed(now)).run(input: {
            defer { offset = min(data.count, offset + chunk) }
            return data.subdata(in: offset..<min(data.count, offset + chunk))
        }, totalBytes: Int64(data.count), source: "test", deactivateMissing: deactivateMissing)
    }

    @Test("the edge cases: quotes kept, a professional without a place, bad lines counted by number, a professional on several rows gathered")
    func edgeCases() async throws {
        try await TestDatabase.with { test in
            let data = try Self.extract(RPPSExtractGenerator(lines: 3_000, edgeCases: true))
            let report = try await Self.importing(data, into: test.store)
            #expect(report.lines == 3_000)
            #expect(report.bad == RPPSExtractGenerator.badEdgeLines)
            #expect(report.problems.map(\.line) == [5, 6], "the header is line 1: \(report.problems)")
            #expect(report.encoding == "UTF-8")
            let counts = try #require(report.counts)
            #expect(counts.deactivated == 0 && counts.missing == 0)

            let claire = try await test.store.searchReferringDoctors("dupont pontoise", limit: 10)
            #expect(claire.map(\.firstName) == ["Claire"])
            let place = try await test.rows("SELECT name, address, phone FROM referring_doctor_places WHERE national_id = '810000000101'")
            #expect(try place.first?.decode(column: "name", as: String.self) == "CABINET \"LES TILLEULS\"")
            #expect(try place.first?.decode(column: "address", as: String.self) == "12 Rue DE LA GARE")
            // Marie Dupont practises in Paris and in Cergy: found by either, her main place the first listed.
            let marie = try await test.store.searchReferringDoctors("Dupont Cergy", limit: 10)
            #expect(marie.map(\.firstName) == ["Marie"])
            #expect(marie.first?.city == "PARIS")
            #expect(try await test.store.searchReferringDoctors("dupont 75012", limit: 10).map(\.firstName) == ["Marie"])
            // The generated professionals have namesakes: the edge cases are told by their identifiers.
            func edge(_ query: String) async throws -> [String] {
                try await test.store.searchReferringDoctors(query, limit: 100).map(\.nationalID).filter { $0.hasPrefix("8100000001") }
            }
            #expect(try await edge("dupont") == ["810000000101", "810000000104"])
            // Accents folded both ways; the CRLF line is read whole.
            #expect(try await edge("LEFEVRE orleans") == ["810000000102"])
            #expect(try await edge("lefèvre 45000") == ["810000000102"])
            // A tab and a backslash inside a field reach the database as they were (PostgreSQL's COPY escapes them).
            let centre = try await test.rows("SELECT name FROM referring_doctor_places WHERE national_id = '810000000102'")
            #expect(try centre.first?.decode(column: "name", as: String.self) == "CENTRE MÉDICAL\tSAINT-ÉTIENNE \\ BÂT. A")
            // No place: listed, found by name alone, however the apostrophe is typed.
            #expect(try await edge("n'guyen") == ["810000000103"])
            #expect(try await edge("nguyen chloe") == ["810000000103"])
            // The same professional listed again 500 professionals further down: one doctor, two places.
            let repeated = try await test.rows("""
                SELECT national_id, COUNT(*) AS n FROM referring_doctor_places GROUP BY national_id HAVING COUNT(*) > 1
                """)
            #expect(!repeated.isEmpty)
            let doctors = try await test.rows("SELECT COUNT(*) AS n, COUNT(DISTINCT national_id) AS d FROM referring_doctors")
            #expect(try doctors[0].decode(column: "n", as: Int.self) == doctors[0].decode(column: "d", as: Int.self))
            #expect(try doctors[0].decode(column: "n", as: Int.self) == counts.listed)
        }
    }

    /// One activity line, laid out as the extract's 56 columns.
    static func line(_ id: String, last: String, city: String, postalCode: String) -> String {
        var fields = [String](repeating: "", count: RPPSExtract.columnCount)
        fields[RPPSExtract.Column.nationalID] = id
        fields[RPPSExtract.Column.lastName] = last
        fields[RPPSExtract.Column.firstName] = "Paul"
        fields[RPPSExtract.Column.profession] = "Médecin"
        fields[RPPSExtract.Column.city] = city
        fields[RPPSExtract.Column.postalCode] = postalCode
        return fields.joined(separator: "|") + "|\n"
    }

    @Test("a professional the file lists again in a later batch, found unchanged in the first: their places are gathered, the first stays their main one")
    func acrossBatches() async throws {
        try await TestDatabase.with { test in
            let filler = (1...(RPPSImport.batchSize + 500)).map { Self.line("81000009\(String(format: "%04d", $0))", last: "Remplissage", city: "LYON", postalCode: "69001") }
            let first = Self.line("810000000555", last: "Zorgiebel", city: "PARIS", postalCode: "75012")
            let later = Self.line("810000000555", last: "Zorgiebel", city: "CERGY", postalCode: "95000")
            // The previous extract listed them in Paris only; the new one in Paris first, then, in another batch, in Cergy.
            _ = try await Self.importing(Data((first + filler.joined()).utf8), into: test.store)
            let newer = Data((first + filler.joined() + later).utf8)
            for pass in 1...2 {
                let report = try await Self.importing(newer, into: test.store, at: Fixtures.now.addingTimeInterval(Double(pass) * 3_600))
                #expect(report.counts?.listed == RPPSImport.batchSize + 501 && report.counts?.missing == 0)
                let found = try await test.store.searchReferringDoctors("zorgiebel cergy", limit: 5)
                #expect(found.map(\.nationalID) == ["810000000555"], "pass \(pass)")
                #expect(found.first?.city == "PARIS" && found.first?.postalCode == "75012", "pass \(pass)")
                #expect(try await test.store.searchReferringDoctors("zorgiebel 75012", limit: 5).count == 1)
            }
        }
    }

    @Test("a file with no professional (empty, a header alone, only bad lines) is refused and changes nothing")
    func noProfessional() async throws {
        try await TestDatabase.with { test in
            let data = try Self.extract(RPPSExtractGenerator(lines: 200))
            _ = try await Self.importing(data, into: test.store)
            let header = data.prefix { $0 != UInt8(ascii: "\n") } + Data("\n".utf8)
            for (input, lines, bad) in [(Data(), 0, 0), (header, 0, 0), (header + Data("x|y|z\n\u{1}\u{2}\n".utf8), 2, 2)] {
                await #expect(throws: DirectoryImportError.noProfessional(lines: lines, bad: bad)) {
                    _ = try await Self.importing(input, into: test.store, at: Fixtures.now.addingTimeInterval(3_600), deactivateMissing: true)
                }
            }
            // Even forced, nobody was deactivated, and the next import is not refused as busy.
            let again = try await Self.importing(data, into: test.store, at: Fixtures.now.addingTimeInterval(7_200))
            #expect(again.counts?.missing == 0 && again.counts?.deactivated == 0)
        }
    }

    @Test("importing the same extract again changes nothing; a Windows-1252 extract reads the same as UTF-8")
    func idempotentAndEncodings() async throws {
        try await TestDatabase.with { test in
            let generator = RPPSExtractGenerator(lines: 2_000, edgeCases: true)
            let first = try await Self.importing(try Self.extract(generator), into: test.store)
            func snapshot() async throws -> [String] {
                try await test.rows("""
                    SELECT d.id, d.national_id, d.first_name, d.last_name, d.city, d.search_text, d.inactive_since, p.place_key, p.city AS place_city
                    FROM referring_doctors d LEFT JOIN referring_doctor_places p ON p.national_id = d.national_id
                    ORDER BY d.national_id, p.place_key
                    """).map { row in
                    try ["id", "national_id", "first_name", "last_name", "city", "search_text", "place_key", "place_city"]
                        .map { try row.decodeNil(column: $0) ? "-" : row.decode(column: $0, as: String.self) }.joined(separator: "|")
                        + (try row.decodeNil(column: "inactive_since") ? "" : "|inactive")
                }
            }
            let before = try await snapshot()
            var windows = generator
            windows.encoding = .windows1252
            let again = try await Self.importing(try Self.extract(windows), into: test.store, at: Fixtures.now.addingTimeInterval(86_400))
            #expect(again.encoding == "Windows-1252")
            #expect(again.counts?.listed == first.counts?.listed && again.counts?.places == first.counts?.places)
            #expect(again.counts?.deactivated == 0)
            #expect(try await snapshot() == before)
        }
    }

    @Test("a newer extract: the professionals it no longer lists become inactive (kept, not searchable); a cut file deactivates nobody")
    func newerExtract() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            _ = try await Self.importing(try Self.extract(RPPSExtractGenerator(lines: 1_500, edgeCases: true)), into: store)
            // A doctor who will leave the directory, named by an appointment-like reference meanwhile.
            let leaving = try #require(try await store.searchReferringDoctors("lefevre orleans", limit: 1).first)

            // The newer extract lists the later half of the professionals, and new ones after them.
            let newer = try await Self.importing(
                try Self.extract(RPPSExtractGenerator(lines: 1_500, seed: 2027, firstProfessional: 400)), into: store,
                at: Fixtures.now.addingTimeInterval(30 * 86_400))
            let counts = try #require(newer.counts)
            #expect(counts.missing > 0 && counts.deactivated == counts.missing)
            #expect(try await store.searchReferringDoctors("lefevre orleans", limit: 1).isEmpty)
            #expect(try await store.referringDoctor(id: leaving.id)?.lastName == "LEFÈVRE", "kept for what names them")
            let inactive = try await test.rows("SELECT COUNT(*) AS n FROM referring_doctors WHERE inactive_since IS NOT NULL")
            #expect(try inactive[0].decode(column: "n", as: Int.self) == counts.deactivated)
            let stalePlaces = try await test.rows("""
                SELECT COUNT(*) AS n FROM referring_doctor_places p JOIN referring_doctors d ON d.national_id = p.national_id
                WHERE d.inactive_since IS NOT NULL
                """)
            #expect(try stalePlaces[0].decode(column: "n", as: Int.self) == 0)

            // A cut file (its first hundred lines): nobody is deactivated, and the report says why.
            let cut = try await Self.importing(
                try Self.extract(RPPSExtractGenerator(lines: 100, seed: 2027, firstProfessional: 400)), into: store,
                at: Fixtures.now.addingTimeInterval(31 * 86_400))
            #expect(cut.keptMissing && cut.counts?.deactivated == 0)
            #expect(cut.description.contains("looks cut"))
            let still = try await test.rows("SELECT COUNT(*) AS n FROM referring_doctors WHERE inactive_since IS NOT NULL")
            #expect(try still[0].decode(column: "n", as: Int.self) == counts.deactivated)
            // Forced, it is trusted.
            let forced = try await Self.importing(
                try Self.extract(RPPSExtractGenerator(lines: 100, seed: 2027, firstProfessional: 400)), into: store,
                at: Fixtures.now.addingTimeInterval(32 * 86_400), deactivateMissing: true)
            #expect((forced.counts?.deactivated ?? 0) > 0 && !forced.keptMissing)
            // Listed again later: active again.
            _ = try await Self.importing(try Self.extract(RPPSExtractGenerator(lines: 1_500, edgeCases: true)), into: store,
                                         at: Fixtures.now.addingTimeInterval(33 * 86_400), deactivateMissing: true)
            #expect(try await store.searchReferringDoctors("lefevre orleans", limit: 1).map(\.id) == [leaving.id])
        }
    }

    @Test("one import at a time: a second is refused while the first is alive, and takes over one left by a killed process")
    func oneAtATime() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let run = try await store.beginDirectoryImport(source: "a", at: Fixtures.now, staleAfter: 600)
            await #expect(throws: DirectoryImportError.busy(since: Fixtures.now)) {
                _ = try await store.beginDirectoryImport(source: "b", at: Fixtures.now.addingTimeInterval(60), staleAfter: 600)
            }
            let next = try await store.beginDirectoryImport(source: "c", at: Fixtures.now.addingTimeInterval(700), staleAfter: 600)
            #expect(next > run)
            let states = try await test.rows("SELECT state FROM directory_imports ORDER BY id").map { try $0.decode(column: "state", as: String.self) }
            #expect(states == ["abandoned", "running"])
        }
    }

    @Test("doctors entered before the directory had name keys are found once migrated (the keys are filled after every migration)")
    func legacyDoctors() async throws {
        try await TestDatabase.with { test in
            let doctor = ReferringDoctor(id: UUID(), nationalID: "810000000555", firstName: "Bérénice", lastName: "Le Gall",
                                         profession: "Médecin", city: "Brest", postalCode: "29200")
            try await test.store.insert(doctor)
            try await test.run("UPDATE referring_doctors SET name_key = ''")
            #expect(try await test.store.searchReferringDoctors("le gall brest", limit: 5).isEmpty)
            #expect(try await test.store.backfillDoctorNameKeys() == 1)
            #expect(try await test.store.searchReferringDoctors("le gall brest", limit: 5) == [doctor])
            #expect(try await test.store.searchReferringDoctors("berenice le", limit: 5) == [doctor])
            #expect(try await test.store.backfillDoctorNameKeys() == 0)
            // One letter is not a name: too many doctors start with it to search them.
            #expect(try await test.store.searchReferringDoctors("l b", limit: 5).isEmpty)
            // Two letters are tried when nothing longer matched: Dr Ly is found, and "le" alone is not read as a name first.
            let ly = ReferringDoctor(id: UUID(), nationalID: "810000000556", firstName: "Minh", lastName: "Ly", profession: "Médecin", city: "Paris", postalCode: "75013")
            try await test.store.insert(ly)
            #expect(try await test.store.searchReferringDoctors("ly paris", limit: 5) == [ly])
            #expect(try await test.store.searchReferringDoctors("legall", limit: 5) == [doctor])
            #expect(try await test.store.searchReferringDoctors("minh", limit: 5) == [ly], "a first name alone, when no last name matches")
        }
    }
}
