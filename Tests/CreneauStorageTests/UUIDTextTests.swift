import CreneauDomain
import Foundation
import Testing

@Suite("UUIDs as text, without Foundation's parser")
struct UUIDTextTests {
    @Test("a thousand random ids read and write exactly as Foundation does")
    func roundTrip() {
        for _ in 0..<1_000 {
            let id = UUID()
            let text = UUIDText.format(id)
            #expect(text == id.uuidString.lowercased())
            #expect(UUIDText.parse(text) == id)
            #expect(UUIDText.parse(id.uuidString) == id)
        }
        #expect(UUIDText.format(UUID(uuidString: "00000000-0000-4000-8000-00000000000F")!) == "00000000-0000-4000-8000-00000000000f")
    }

    @Test("anything Foundation refuses is refused", arguments: [
        "", "not-a-uuid", "00000000-0000-4000-8000-00000000000", "00000000-0000-4000-8000-0000000000000",
        "00000000_0000-4000-8000-000000000000", "0000000-00000-4000-8000-000000000000", "g0000000-0000-4000-8000-000000000000",
        "00000000-0000-4000-8000-00000000000é", "{00000000-0000-4000-8000-000000000000}",
    ])
    func refused(_ text: String) {
        #expect(UUIDText.parse(text) == nil)
        #expect(UUID(uuidString: text) == nil)
    }
}
