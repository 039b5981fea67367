import CreneauDomain
import Foundation
import Testing

@Suite("CSV: records from a stream, and the patient index's lines")
struct CSVImportTests {
    static func records(_ text: String, separator: Character = ",", chunk: Int = .max) -> [CSVParser.Record] {
        var parser = CSVParser(separator: separator)
        let bytes = Array(text.utf8)
        var records: [CSVParser.Record] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            records += parser.feed(bytes[start..<end])
            start = end
        }
        return records + parser.finish()
    }

    @Test("quotes, doubled quotes, separators and line breaks inside quotes, CRLF, blank lines, a last line without a break")
    func rfc4180() {
        let text = "ipp;last_name\r\n1;\"Le Gall; Anne\"\r\n\r\n2;\"dit \"\"Jo\"\"\"\n3;\"sur\ndeux lignes\"\n4;Éluard"
        let records = Self.records(text, separator: ";")
        #expect(records.map(\.fields) == [["ipp", "last_name"], ["1", "Le Gall; Anne"], ["2", "dit \"Jo\""], ["3", "sur\ndeux lignes"], ["4", "Éluard"]])
        #expect(records.map(\.line) == [1, 2, 4, 5, 7])
        #expect(records.allSatisfy { $0.problem == nil })
    }

    @Test("any chunking gives the same records", arguments: [1, 2, 3, 7, 64])
    func chunking(size: Int) {
        let text = "a,b,c\n\"x,1\",\"y\"\"2\",z\n\"multi\nline\",é,\"\"\n"
        #expect(Self.records(text, chunk: size) == Self.records(text))
    }

    @Test("bad lines are named, not fatal: a stray quote, bad UTF-8, an unclosed quote, a huge field")
    func problems() {
        #expect(Self.records("a,b\"c\n").first?.problem == "a quote inside an unquoted field")
        var parser = CSVParser()
        let bad = parser.feed([0x61, 0x2C, 0xFF, 0x0A]) + parser.finish()
        #expect(bad.first?.problem?.contains("UTF-8") == true)
        #expect(Self.records("a,\"open").last?.problem == "a quoted field is not closed")
        let huge = Self.records(String(repeating: "x", count: 20_000) + "\nok\n")
        #expect(huge.first?.problem?.contains("longer") == true)
        #expect(huge.last?.fields == ["ok"])
        // Without line breaks in quotes, a stray quote spoils its own line only.
        var strict = CSVParser(lineBreaksInQuotes: false)
        let lines = strict.feed(Array("a,\"open\nb,c\r\n\"d\",e\n".utf8)) + strict.finish()
        #expect(lines.map(\.line) == [1, 2, 3])
        #expect(lines[0].problem == "a quote is not closed on its line")
        #expect(lines[1].fields == ["b", "c"] && lines[2].fields == ["d", "e"])
        #expect(CSVParser.separator(ofHeader: "ipp;nom;prenom") == ";")
        #expect(CSVParser.separator(ofHeader: "ipp,last_name") == ",")
    }

    static let today = LocalDate(year: 2026, month: 11, day: 30)!
    static let cardiology = UUID()

    func reader(_ header: [String]) throws -> PatientIndexCSV {
        try PatientIndexCSV(header: header, today: Self.today) { $0 == "avoine/cardiologie" ? Self.cardiology : nil }
    }

    @Test("a line of the index: both date forms, INS checked (Corsica too), departments by reference; each refusal says why")
    func indexLines() throws {
        let csv = try reader(["IPP", "last_name", "first_name", "birth_date", "ins", "phone", "departments"])
        func row(_ fields: [String]) -> Result<PatientIndexRow, ImportProblem> { csv.row(CSVParser.Record(line: 9, fields: fields, problem: nil)) }
        let good = try row(["A123", "Benali", "Karim", "02/03/1945", "1450375116045 12", "06 00 00 00 00", "avoine/cardiologie"]).get()
        #expect(good.birthDate == LocalDate(year: 1945, month: 3, day: 2))
        #expect(good.ins == "145037511604512" && good.knownIn == [Self.cardiology])
        #expect((try? row(["A1", "Rossi", "Anna", "1960-01-01", "26001 2A 004 123 45", "", ""]).get())?.ins == "260012A00412345")
        func message(_ fields: [String]) -> String? {
            if case .failure(let problem) = row(fields) { return problem.message } else { return nil }
        }
        #expect(message(["", "Benali", "Karim", "1945-03-02", "", "", ""])?.contains("ipp") == true)
        #expect(message(["A1", "Benali", "Karim", "31/02/1945", "", "", ""])?.contains("birth date") == true)
        #expect(message(["A1", "Benali", "Karim", "2030-01-01", "", "", ""])?.contains("future") == true)
        #expect(message(["A1", "Benali", "Karim", "1945-03-02", "12345", "", ""])?.contains("INS") == true)
        #expect(message(["A1", "Benali", "Karim", "1945-03-02", "", "12", ""])?.contains("phone") == true)
        #expect(message(["A1", "Benali", "Karim", "1945-03-02", "", "", "avoine/neurologie"])?.contains("avoine/neurologie") == true)
        #expect(throws: ImportProblem.self) { try reader(["ipp", "nom", "birth_date"]) }
    }
}

@Suite("Authenticator keys as apps read them")
struct AppKeyTests {
    @Test("base32 follows RFC 4648's test vectors; the demo's published key is the base32 of its stored secret")
    func base32() {
        let vectors = ["": "", "f": "MY", "fo": "MZXQ", "foo": "MZXW6", "foob": "MZXW6YQ", "fooba": "MZXW6YTB", "foobar": "MZXW6YTBOI"]
        for (text, encoded) in vectors { #expect(Base32.encode(Array(text.utf8)) == encoded, "\(text)") }
        #expect(StaffAccounts.appKey(secret: "AVOINESANDRINELEROYAVONIEDMOAAA").hasPrefix("IFLE6SKOIVJUCTSEKJEU4RKMIVJE6WKBKZHU"))
        #expect(StaffAccounts.enrolmentAddress(secret: "AB", email: "a@b.fr").contains("secret=IFBA&"))
    }
}
