import CreneauDomain
import CreneauSeed
import Foundation
import Testing

@Suite("The Annuaire Santé extract: its lines, its encodings, name folding")
struct RPPSExtractTests {
    static func line(_ set: [Int: String], count: Int = RPPSExtract.columnCount, trailing: Bool = true) -> String {
        var fields = [String](repeating: "", count: count)
        for (index, value) in set where index < count { fields[index] = value }
        return fields.joined(separator: "|") + (trailing ? "|" : "")
    }

    @Test("a line: the professional, their title and speciality, their place; quotes are characters; with or without the trailing |")
    func record() throws {
        let text = Self.line([2: "810001234567", 4: "Docteur", 7: "DUPONT", 8: "Jean", 9: "10", 10: "Médecin", 16: "Médecine Générale",
                              23: "R1000", 24: "CABINET \"LES TILLEULS\"", 28: "12", 31: "Rue", 32: "DE LA GARE", 35: "95300", 37: "PONTOISE",
                              40: "0130000001"])
        let record = try RPPSExtract.record(text, number: 7).get()
        #expect(record.nationalID == "810001234567" && record.title == "Docteur" && record.lastName == "DUPONT" && record.firstName == "Jean")
        #expect(record.profession == "Médecin" && record.specialty == "Médecine Générale")
        let place = try #require(record.place)
        #expect(place.key == "R1000" && place.name == "CABINET \"LES TILLEULS\"" && place.address == "12 Rue DE LA GARE")
        #expect(place.city == "PONTOISE" && place.postalCode == "95300" && place.phone == "0130000001")
        #expect(place.searchText == "pontoise 95300 cabinet les tilleuls")
        #expect(try RPPSExtract.record(String(text.dropLast()), number: 7).get() == record)
        // No structure: no place.
        #expect(try RPPSExtract.record(Self.line([2: "810001234567", 7: "MARTIN"]), number: 2).get().place == nil)
        // A place without identifier is keyed by what it says.
        let unnamed = try RPPSExtract.record(Self.line([2: "810001234567", 7: "MARTIN", 24: "Maison de santé", 35: "95000", 37: "CERGY"]), number: 2).get()
        #expect(unnamed.place?.key == "maison de sante 95000 cergy")
    }

    @Test("bad lines say what is wrong, with their number")
    func badLines() {
        func problem(_ text: String) -> ImportProblem? {
            if case .failure(let problem) = RPPSExtract.record(text, number: 12) { return problem }
            return nil
        }
        #expect(problem(Self.line([2: "8100", 7: "X"], count: 20, trailing: false))?.message.contains("20 fields") == true)
        #expect(problem(Self.line([2: "8100", 7: "X"], count: 60))?.line == 12)
        #expect(problem(Self.line([7: "DUPONT"]))?.message.contains("missing") == true)
        #expect(problem(Self.line([2: "81 00; DROP", 7: "DUPONT"]))?.message.contains("letters and digits") == true)
        #expect(problem(Self.line([2: "810001234567", 7: "--"]))?.message.contains("no name") == true)
        #expect(problem(Self.line([2: "810001234567", 7: "DUPONT", 24: String(repeating: "A", count: 600)]))?.message.contains("longer") == true)
        #expect(problem(Self.line([2: "810001234567", 7: "DU\u{0}PONT"]))?.message.contains("control") == true)
        #expect(problem("") != nil)
    }

    @Test("each line is UTF-8 when it is valid UTF-8, Windows-1252 otherwise; a byte order mark is dropped")
    func decoding() {
        var decoder = LineDecoder()
        #expect(decoder.decode(Array("Hélène Lefèvre".utf8)) == "Hélène Lefèvre")
        #expect(decoder.encodingSummary == "UTF-8")
        #expect(decoder.decode([0x48, 0xE9, 0x6C, 0xE8, 0x6E, 0x65]) == "Hélène")
        #expect(decoder.decode([0x80, 0x20, 0x9C, 0x75, 0x76, 0x72, 0x65, 0x20, 0x92]) == "€ œuvre ’")
        #expect(decoder.decode([0xEF, 0xBB, 0xBF, 0x41]) == "A")
        #expect(decoder.decode([0x81]) == "\u{FFFD}")
        #expect(decoder.encodingSummary == "UTF-8 (3 lines in Windows-1252)")
        var windows = LineDecoder()
        _ = windows.decode([0xE9])
        #expect(windows.encodingSummary == "Windows-1252")
    }

    @Test("the generator's file reads back line for line in both encodings")
    func generatedFile() throws {
        for encoding in RPPSExtractGenerator.Encoding.allCases {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("rpps-\(UUID().uuidString).txt")
            FileManager.default.createFile(atPath: url.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: url) }
            let handle = try FileHandle(forWritingTo: url)
            try RPPSExtractGenerator(lines: 400, encoding: encoding, edgeCases: true).write(to: handle)
            try handle.close()
            let lines = try Data(contentsOf: url).split(separator: 10, omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == 401)
            var decoder = LineDecoder(), good = 0, bad = 0, names: Set<String> = []
            for (index, bytes) in lines.enumerated() {
                let text = decoder.decode(bytes.last == 13 ? bytes.dropLast() : bytes[...])
                if index == 0 { #expect(RPPSExtract.isHeader(text)); continue }
                switch RPPSExtract.record(text, number: index + 1) {
                case .success(let record): good += 1; names.insert(record.firstName + " " + record.lastName)
                case .failure: bad += 1
                }
            }
            #expect(bad == RPPSExtractGenerator.badEdgeLines && good == 400 - bad)
            #expect(names.contains("Hélène LEFÈVRE") && names.contains("Chloé N'GUYEN"), "\(encoding)")
            #expect(decoder.encodingSummary == (encoding == .utf8 ? "UTF-8" : "Windows-1252"))
        }
    }

    @Test("folding French text by table gives what the full folding gives", arguments: 0..<4)
    func tableFolding(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let alphabet = Array("aZ09 -'.,_|%\t\u{1}xyzABC  ÉéèÈàÀçÇœŒæÆÿŸñÑôÔüÜ\u{A0}’«»°–ßøØ²ªµ\u{301}日")
        for _ in 0..<500 {
            let text = String((0..<Int(random.next() % 24)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let full = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "fr_FR"))
                .replacingOccurrences(of: "œ", with: "oe").replacingOccurrences(of: "æ", with: "ae")
                .unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : " " }
            #expect(SearchText.fold(text) == String(full).split(separator: " ").joined(separator: " "), "\(text.debugDescription)")
        }
        #expect(SearchText.fold("Saint-Étienne") == "saint etienne")
    }
}
