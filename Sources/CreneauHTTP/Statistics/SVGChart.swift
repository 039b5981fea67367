import Foundation

/// Charts drawn on the server as SVG (no script, readable without CSS): a line for trends, bars
/// for comparisons. Each has a `<title>` and `<desc>` (the summary) for screen readers; the page
/// puts the data table beside it. Values that are unknown (hidden or nothing to divide) leave a gap.
enum SVGChart {
    struct Point {
        var label: String
        var value: Double?
    }

    static let width = 640.0

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func format(_ value: Double, decimal: Character) -> String {
        let text = String(format: value.magnitude >= 100 ? "%.0f" : "%.1f", value)
        return decimal == "." ? text : text.replacingOccurrences(of: ".", with: String(decimal))
    }

    /// A scale's top: a round number above the largest value.
    static func top(_ values: [Double]) -> Double {
        let largest = max(values.max() ?? 0, 0)
        guard largest > 0, largest.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(largest)))
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= largest { return step * magnitude }
        return 10 * magnitude
    }

    /// A line over periods. `unit` follows each value ("%", " j").
    static func line(id: String, title: String, summary: String, points: [Point], unit: String, decimal: Character) -> String {
        let height = 220.0, left = 48.0, right = 16.0, topMargin = 16.0, bottom = 40.0
        let values = points.compactMap(\.value).filter(\.isFinite)
        let scale = top(values)
        let plotWidth = width - left - right, plotHeight = height - topMargin - bottom
        let step = points.count > 1 ? plotWidth / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { left + (points.count > 1 ? Double(index) * step : plotWidth / 2) }
        func y(_ value: Double) -> Double { topMargin + plotHeight * (1 - min(max(value / scale, 0), 1)) }
        var svg = header(id: id, title: title, summary: summary, height: height)
        for fraction in [0.0, 0.5, 1.0] {
            let value = scale * fraction
            svg += "<line x1=\"\(left)\" y1=\"\(y(value))\" x2=\"\(width - right)\" y2=\"\(y(value))\" class=\"gridline\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\" class=\"axis\">\(escape(format(value, decimal: decimal) + unit))</text>"
        }
        // Segments join known values only: a gap says "unknown", not zero.
        var segment: [String] = []
        func flush() {
            if segment.count > 1 { svg += "<polyline points=\"\(segment.joined(separator: " "))\" class=\"series\"/>" }
            segment = []
        }
        let labelEvery = max(1, Int((Double(points.count) / 8).rounded(.up)))
        for (index, point) in points.enumerated() {
            if let value = point.value, value.isFinite {
                segment.append("\(x(index)),\(y(value))")
                svg += "<circle cx=\"\(x(index))\" cy=\"\(y(value))\" r=\"3\" class=\"dot\"><title>\(escape(point.label)): \(escape(format(value, decimal: decimal) + unit))</title></circle>"
            } else {
                flush()
            }
            if index % labelEvery == 0 || index == points.count - 1 {
                svg += "<text x=\"\(x(index))\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\" class=\"axis\">\(escape(point.label))</text>"
            }
        }
        flush()
        return svg + "</svg>"
    }

    /// Horizontal bars, one per item, the value written at the bar's end.
    static func bars(id: String, title: String, summary: String, points: [Point], unit: String, decimal: Character, unknown: String) -> String {
        let rowHeight = 24.0, left = 200.0, right = 70.0, topMargin = 8.0
        let height = topMargin * 2 + rowHeight * Double(max(points.count, 1))
        let scale = top(points.compactMap(\.value).filter(\.isFinite))
        let plotWidth = width - left - right
        var svg = header(id: id, title: title, summary: summary, height: height)
        for (index, point) in points.enumerated() {
            let y = topMargin + Double(index) * rowHeight
            let label = point.label.count > 30 ? String(point.label.prefix(29)) + "…" : point.label
            svg += "<text x=\"\(left - 8)\" y=\"\(y + 16)\" text-anchor=\"end\" class=\"axis\">\(escape(label))</text>"
            if let value = point.value, value.isFinite {
                let length = plotWidth * min(max(value / scale, 0), 1)
                svg += "<rect x=\"\(left)\" y=\"\(y + 4)\" width=\"\(max(length, 1))\" height=\"\(rowHeight - 8)\" class=\"bar\"/>"
                svg += "<text x=\"\(left + length + 6)\" y=\"\(y + 16)\" class=\"value\">\(escape(format(value, decimal: decimal) + unit))</text>"
            } else {
                svg += "<text x=\"\(left + 6)\" y=\"\(y + 16)\" class=\"value\">\(escape(unknown))</text>"
            }
        }
        return svg + "</svg>"
    }

    static func header(id: String, title: String, summary: String, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height.rounded(.up)))\" width=\"100%\" role=\"img\" "
            + "aria-labelledby=\"\(id)-title \(id)-desc\" class=\"chart\"><title id=\"\(id)-title\">\(escape(title))</title>"
            + "<desc id=\"\(id)-desc\">\(escape(summary))</desc>"
    }
}
