import Foundation

/// A QR code (ISO/IEC 18004) for a short text, such as the `otpauth://` address an authenticator
/// app scans when a member of staff enrols. Byte mode, error correction level M, versions 1–10
/// (up to 213 bytes): enough for any enrolment address, and small enough to write here rather than
/// depend on a library. Checked against a real decoder (zbar) in the tests.
public struct QRCode: Sendable {
    /// `modules[row][column]`, true for dark.
    public let modules: [[Bool]]
    public let version: Int
    public var size: Int { modules.count }

    /// Per version (1–10), level M: the error-correction codewords per block and the data codewords of each block.
    static let blocks: [(ecc: Int, data: [Int])] = [
        (10, [16]), (16, [28]), (26, [44]), (18, [32, 32]), (24, [43, 43]),
        (16, [27, 27, 27, 27]), (18, [31, 31, 31, 31]), (22, [38, 38, 39, 39]), (22, [36, 36, 36, 37, 37]), (26, [43, 43, 43, 43, 44]),
    ]
    static let alignment: [[Int]] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]

    /// Nil when the text is too long for version 10.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard let version = (1...10).first(where: { v in
            4 + (v < 10 ? 8 : 16) + 8 * bytes.count <= 8 * Self.blocks[v - 1].data.reduce(0, +)
        }) else { return nil }
        self.version = version
        var builder = Builder(version: version)
        builder.drawFunctionPatterns()
        builder.drawCodewords(Self.codewords(bytes, version: version))
        self.modules = builder.masked()
    }

    /// Segment, terminator, padding, then Reed–Solomon per block, interleaved.
    static func codewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        let layout = blocks[version - 1]
        let capacity = layout.data.reduce(0, +)
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in (0..<count).reversed() { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        append(0, min(4, capacity * 8 - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var data: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { ($0 << 1) | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while data.count < capacity {
            data.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        var split: [[UInt8]] = [], start = 0
        for length in layout.data {
            split.append(Array(data[start..<start + length]))
            start += length
        }
        let divisor = ReedSolomon.divisor(degree: layout.ecc)
        let eccs = split.map { ReedSolomon.remainder($0, divisor: divisor) }
        var result: [UInt8] = []
        for i in 0..<(layout.data.max() ?? 0) { for block in split where i < block.count { result.append(block[i]) } }
        for i in 0..<layout.ecc { for ecc in eccs { result.append(ecc[i]) } }
        return result
    }

    /// An SVG drawing with a quiet zone of four modules, scaled by the page.
    public func svg(label: String) -> String {
        var path = ""
        for (row, line) in modules.enumerated() {
            for (column, dark) in line.enumerated() where dark { path += "M\(column + 4),\(row + 4)h1v1h-1z" }
        }
        let side = size + 8
        let escaped = label.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "<", with: "&lt;")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side * 6)" height="\(side * 6)" role="img" aria-label="\(escaped)" \
            shape-rendering="crispEdges"><rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// Portable bitmap (P1), for decoders in tests.
    public func pbm(scale: Int = 4) -> String {
        let side = (size + 8) * scale
        var lines = ["P1", "\(side) \(side)"]
        for y in 0..<side {
            let row = y / scale - 4
            lines.append((0..<side).map { x -> String in
                let column = x / scale - 4
                return (0..<size).contains(row) && (0..<size).contains(column) && modules[row][column] ? "1" : "0"
            }.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    struct Builder {
        let version: Int
        let size: Int
        var modules: [[Bool]]
        var isFunction: [[Bool]]

        init(version: Int) {
            self.version = version
            size = version * 4 + 17
            modules = Array(repeating: Array(repeating: false, count: size), count: size)
            isFunction = modules
        }

        mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
            modules[y][x] = dark
            isFunction[y][x] = true
        }

        mutating func drawFunctionPatterns() {
            for i in 0..<size {
                set(6, i, i % 2 == 0)
                set(i, 6, i % 2 == 0)
            }
            for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 {
                    for dx in -4...4 where (0..<size).contains(cx + dx) && (0..<size).contains(cy + dy) {
                        let distance = max(abs(dx), abs(dy))
                        set(cx + dx, cy + dy, distance != 2 && distance != 4)
                    }
                }
            }
            let positions = QRCode.alignment[version - 1]
            for (i, x) in positions.enumerated() {
                for (j, y) in positions.enumerated() {
                    let last = positions.count - 1
                    if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                    for dy in -2...2 { for dx in -2...2 { set(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) } }
                }
            }
            drawFormat(mask: 0)
            if version >= 7 {
                var remainder = version
                for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
                let bits = version << 12 | remainder
                for i in 0..<18 {
                    let dark = (bits >> i) & 1 == 1, a = size - 11 + i % 3, b = i / 3
                    set(a, b, dark)
                    set(b, a, dark)
                }
            }
        }

        /// Level M (format bits 00) and the mask, BCH-protected, twice.
        mutating func drawFormat(mask: Int) {
            let data = mask
            var remainder = data
            for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
            let bits = (data << 10 | remainder) ^ 0x5412
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            for i in 0...5 { set(8, i, bit(i)) }
            set(8, 7, bit(6))
            set(8, 8, bit(7))
            set(7, 8, bit(8))
            for i in 9..<15 { set(14 - i, 8, bit(i)) }
            for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
            for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
            set(8, size - 8, true)
        }

        mutating func drawCodewords(_ data: [UInt8]) {
            var index = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                for vertical in 0..<size {
                    for j in 0..<2 {
                        let x = right - j
                        let upward = (right + 1) & 2 == 0
                        let y = upward ? size - 1 - vertical : vertical
                        if !isFunction[y][x] && index < data.count * 8 {
                            modules[y][x] = (data[index >> 3] >> (7 - (index & 7))) & 1 == 1
                            index += 1
                        }
                    }
                }
                right -= 2
            }
        }

        static func masks(_ mask: Int, _ y: Int, _ x: Int) -> Bool {
            switch mask {
            case 0: (x + y) % 2 == 0
            case 1: y % 2 == 0
            case 2: x % 3 == 0
            case 3: (x + y) % 3 == 0
            case 4: (x / 3 + y / 2) % 2 == 0
            case 5: x * y % 2 + x * y % 3 == 0
            case 6: (x * y % 2 + x * y % 3) % 2 == 0
            default: ((x + y) % 2 + x * y % 3) % 2 == 0
            }
        }

        /// The data under the mask that reads best (lowest penalty), with its format information.
        func masked() -> [[Bool]] {
            var best: (penalty: Int, modules: [[Bool]])?
            for mask in 0..<8 {
                var candidate = self
                for y in 0..<size { for x in 0..<size where !isFunction[y][x] && Self.masks(mask, y, x) { candidate.modules[y][x].toggle() } }
                candidate.drawFormat(mask: mask)
                let penalty = Self.penalty(candidate.modules)
                if penalty < (best?.penalty ?? .max) { best = (penalty, candidate.modules) }
            }
            return best?.modules ?? modules
        }

        /// ISO 18004's rules: runs of five or more, 2×2 blocks, finder-like patterns, dark/light balance.
        static func penalty(_ modules: [[Bool]]) -> Int {
            let size = modules.count
            var score = 0
            let columns = (0..<size).map { x in (0..<size).map { modules[$0][x] } }
            let finder: [Bool] = [true, false, true, true, true, false, true]
            for line in modules + columns {
                var run = 1
                for i in 1..<size {
                    if line[i] == line[i - 1] { run += 1 } else { run = 1 }
                    if run == 5 { score += 3 } else if run > 5 { score += 1 }
                }
                if size >= 11 {
                    for i in 0...(size - 11) {
                        let window = Array(line[i..<i + 11])
                        if (Array(window[0..<7]) == finder && window[7...].allSatisfy { !$0 }) || (window[0..<4].allSatisfy { !$0 } && Array(window[4...]) == finder) {
                            score += 40
                        }
                    }
                }
            }
            for y in 0..<size - 1 {
                for x in 0..<size - 1 {
                    let color = modules[y][x]
                    if modules[y][x + 1] == color && modules[y + 1][x] == color && modules[y + 1][x + 1] == color { score += 3 }
                }
            }
            let dark = modules.joined().filter { $0 }.count, total = size * size
            score += ((abs(dark * 20 - total * 10) + total - 1) / total - 1) * 10
            return score
        }
    }

    enum ReedSolomon {
        static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
            var z = 0
            for i in (0..<8).reversed() {
                z = (z << 1) ^ ((z >> 7) * 0x11D)
                z ^= ((Int(y) >> i) & 1) * Int(x)
            }
            return UInt8(z & 0xFF)
        }

        static func divisor(degree: Int) -> [UInt8] {
            var result = [UInt8](repeating: 0, count: degree)
            result[degree - 1] = 1
            var root: UInt8 = 1
            for _ in 0..<degree {
                for j in 0..<degree {
                    result[j] = multiply(result[j], root)
                    if j + 1 < degree { result[j] ^= result[j + 1] }
                }
                root = multiply(root, 0x02)
            }
            return result
        }

        static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
            var result = [UInt8](repeating: 0, count: divisor.count)
            for byte in data {
                let factor = byte ^ result.removeFirst()
                result.append(0)
                for i in 0..<result.count { result[i] ^= multiply(divisor[i], factor) }
            }
            return result
        }
    }
}
