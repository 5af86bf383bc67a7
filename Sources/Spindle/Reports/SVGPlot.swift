import Foundation

/// A line chart as a plain SVG 1.1 document: title, labelled axes with "nice" ticks (linear: 1, 2
/// or 5 × 10^k apart; logarithmic: whole decades) and grid lines, any number of named series
/// (solid, dashed or dotted lines, with or without point markers) and a legend. All of Spindle's
/// drawing is here.
///
/// Coordinates: data (x, y) maps to pixels px = left + (x − x₀)/(x₁ − x₀) · plotWidth and
/// py = top + (y₁ − y)/(y₁ − y₀) · plotHeight (SVG's y grows downwards); on a logarithmic axis,
/// log₁₀ of the value takes its place, and values ≤ 0 are left out.
public struct SVGPlot: Sendable {
    public enum LineStyle: String, Sendable { case solid, dashed, dotted }

    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var style: LineStyle
        public var markers: Bool
        /// Any SVG colour; nil picks the next of a colour-blind-safe palette.
        public var color: String?
        /// A tooltip (`<title>`) for each point's marker, in the order of `points`; nil: none.
        public var tips: [String]?
        /// Whether the legend lists it (a series drawn in a style another entry explains may not
        /// need a row; an entry with no points explains a style).
        public var inLegend: Bool

        public init(name: String, points: [(x: Double, y: Double)], style: LineStyle = .solid,
                    markers: Bool = true, color: String? = nil, tips: [String]? = nil, inLegend: Bool = true) {
            precondition(tips == nil || tips!.count == points.count, "SVGPlot.Series: \(tips!.count) tips for \(points.count) points")
            (self.name, self.points, self.style, self.markers, self.color, self.tips) = (name, points, style, markers, color, tips)
            self.inLegend = inLegend
        }
    }

    public struct Axis: Sendable {
        public var label: String
        /// Shown range, widened to whole ticks; nil: the data's range.
        public var range: ClosedRange<Double>?
        /// Ticks on whole numbers only (counts such as workers or epochs).
        public var integer: Bool
        /// A log₁₀ scale (norms spanning many orders of magnitude); `range` is then in data units.
        public var logarithmic: Bool

        public init(label: String, range: ClosedRange<Double>? = nil, integer: Bool = false, logarithmic: Bool = false) {
            (self.label, self.range, self.integer, self.logarithmic) = (label, range, integer, logarithmic)
        }

        /// Where a value sits along the axis: itself, or its log₁₀ (nil for values ≤ 0 there).
        func position(_ value: Double) -> Double? {
            guard logarithmic else { return value }
            return value > 0 ? log10(value) : nil
        }
    }

    /// Where the legend goes: inside the plot's top left corner (few series), or to the right of
    /// the plot, which then narrows to make room (many series, e.g. one per epoch).
    public enum LegendPlacement: Sendable { case insideTopLeft, right }

    public var title: String
    public var x: Axis
    public var y: Axis
    public var series: [Series]
    public var width = 640.0
    public var height = 420.0
    public var legend = LegendPlacement.insideTopLeft

    public init(title: String, x: Axis, y: Axis, series: [Series]) {
        (self.title, self.x, self.y, self.series) = (title, x, y, series)
    }

    /// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

    /// Tick positions 1, 2 or 5 × 10^k apart covering `range` with about `target` intervals;
    /// the first and last ticks enclose the range.
    public static func niceTicks(_ range: ClosedRange<Double>, target: Int = 6, integer: Bool = false) -> [Double] {
        var low = range.lowerBound, high = range.upperBound
        if high - low < 1e-12 { (low, high) = (low - 1, high + 1) }  // one value: show a unit around it
        let raw = (high - low) / Double(max(target, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        var step = ([1.0, 2, 5, 10].first { $0 * magnitude >= raw * (1 - 1e-9) } ?? 10) * magnitude
        if integer { step = max(1, step.rounded()) }
        let first = (low / step + 1e-9).rounded(.down), last = (high / step - 1e-9).rounded(.up)
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// The text of a decade tick 10^k: plain for 0.001…1000, else "1e-12".
    static func decadeLabel(_ k: Double) -> String {
        let k = Int(k.rounded())
        if (-3...3).contains(k) { return label(pow(10, Double(k)), step: pow(10, Double(min(k, 0)))) }
        return "1e\(k)"
    }

    /// The text of a tick value, with as many decimals as the tick spacing needs.
    static func label(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", abs(value) < step * 1e-6 ? 0 : value)
    }

    /// `text` with XML's five special characters escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    /// The chart as an SVG document.
    public func render() -> String { Self.document([self]) }

    /// Charts stacked top to bottom in one SVG document, each at its own width and height.
    public static func document(_ charts: [SVGPlot]) -> String {
        precondition(!charts.isEmpty, "an SVG document needs at least one chart")
        func n(_ v: Double) -> String { String(format: "%.2f", v) }
        let width = charts.map(\.width).max() ?? 0, height = charts.reduce(0) { $0 + $1.height }
        var svg = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(n(width))\" height=\"\(n(height))\" " +
                   "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\">",
                   "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"]
        var top = 0.0
        for (i, chart) in charts.enumerated() {
            // A lone chart is drawn as is; stacked ones each get a shifted group and their own
            // clip id (ids are document-wide).
            let elements = chart.elements(clipID: i == 0 ? "plot-area" : "plot-area-\(i + 1)")
            if charts.count == 1 {
                svg += elements
            } else {
                svg += ["<g transform=\"translate(0 \(n(top)))\">"] + elements + ["</g>"]
            }
            top += chart.height
        }
        svg += ["</svg>", ""]
        return svg.joined(separator: "\n")
    }

    /// The chart's elements in its own coordinates (0, 0)–(width, height), using `clipID` for its
    /// plot-area clip path.
    func elements(clipID: String) -> [String] {
        // Every point in axis positions (log₁₀ on a logarithmic axis), the drawable ones only.
        let positioned = series.map { s in
            s.points.indices.compactMap { i -> (x: Double, y: Double, tip: String?)? in
                let p = s.points[i]
                guard let px = x.position(p.x), let py = y.position(p.y), px.isFinite, py.isFinite else { return nil }
                return (px, py, s.tips?[i])
            }
        }
        let all = positioned.flatMap { $0 }
        func span(_ axis: Axis, _ values: [Double]) -> ClosedRange<Double> {
            if let range = axis.range, let low = axis.position(range.lowerBound), let high = axis.position(range.upperBound) {
                return low...high
            }
            return (values.min() ?? 0)...(values.max() ?? 1)
        }
        // A logarithmic axis ticks whole decades, several apart when the data spans many.
        func ticks(_ axis: Axis, _ values: [Double]) -> [Double] {
            Self.niceTicks(span(axis, values), integer: axis.integer || axis.logarithmic)
        }
        let xTicks = ticks(x, all.map(\.x)), yTicks = ticks(y, all.map(\.y))
        let (x0, x1, y0, y1) = (xTicks[0], xTicks[xTicks.count - 1], yTicks[0], yTicks[yTicks.count - 1])
        // Margins hold the title (top), tick labels and axis labels (left, bottom), and a legend
        // placed to the right.
        let listed = series.indices.filter { series[$0].inLegend }
        let legendWidth = 48 + 6.6 * Double(listed.map { series[$0].name.count }.max() ?? 0)
        let left = 70.0, right = width - 24 - (legend == .right ? legendWidth + 12 : 0), top = 48.0, bottom = height - 58
        func px(_ v: Double) -> Double { left + (v - x0) / (x1 - x0) * (right - left) }
        func py(_ v: Double) -> Double { top + (y1 - v) / (y1 - y0) * (bottom - top) }
        func n(_ v: Double) -> String { String(format: "%.2f", v) }
        func text(_ s: String, _ x: Double, _ y: Double, anchor: String = "middle", size: Int = 12,
                  extra: String = "") -> String {
            "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\"\(extra)>\(Self.escape(s))</text>"
        }
        var svg = [// The clip reaches a marker's radius past the frame, so points on it show whole.
                   "<defs><clipPath id=\"\(clipID)\"><rect x=\"\(n(left - 5))\" y=\"\(n(top - 5))\" " +
                   "width=\"\(n(right - left + 10))\" height=\"\(n(bottom - top + 10))\"/></clipPath></defs>",
                   text(title, (left + right) / 2, 26, size: 15, extra: " font-weight=\"bold\"")]
        // Grid and tick labels.
        svg.append("<g stroke=\"#dddddd\" stroke-width=\"1\">")
        svg += xTicks.map { "<line x1=\"\(n(px($0)))\" y1=\"\(n(top))\" x2=\"\(n(px($0)))\" y2=\"\(n(bottom))\"/>" }
        svg += yTicks.map { "<line x1=\"\(n(left))\" y1=\"\(n(py($0)))\" x2=\"\(n(right))\" y2=\"\(n(py($0)))\"/>" }
        svg.append("</g>")
        svg.append("<g fill=\"#333333\">")
        let xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1, yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        func tickLabel(_ axis: Axis, _ value: Double, _ step: Double) -> String {
            axis.logarithmic ? Self.decadeLabel(value) : Self.label(value, step: step)
        }
        svg += xTicks.map { text(tickLabel(x, $0, xStep), px($0), bottom + 18) }
        svg += yTicks.map { text(tickLabel(y, $0, yStep), left - 8, py($0) + 4, anchor: "end") }
        svg.append(text(x.label, (left + right) / 2, height - 16, size: 13))
        svg.append(text(y.label, 18, (top + bottom) / 2, size: 13,
                        extra: " transform=\"rotate(-90 18 \(n((top + bottom) / 2)))\""))
        svg.append("</g>")
        svg.append("<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(right - left))\" height=\"\(n(bottom - top))\" " +
                   "fill=\"none\" stroke=\"#555555\" stroke-width=\"1\"/>")
        // Series, clipped to the plot area.
        func stroke(_ s: Series, _ i: Int) -> String {
            let dash = ["solid": "", "dashed": " stroke-dasharray=\"8 5\"", "dotted": " stroke-dasharray=\"2 4\""]
            let cap = s.style == .dotted ? " stroke-linecap=\"round\"" : ""
            return "fill=\"none\" stroke=\"\(color(s, i))\" stroke-width=\"2\"\(dash[s.style.rawValue] ?? "")\(cap)"
        }
        svg.append("<g clip-path=\"url(#\(clipID))\">")
        for (i, s) in series.enumerated() where !s.points.isEmpty {  // a legend-only entry draws nothing here
            let points = positioned[i]
            let coordinates = points.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
            svg.append("<g class=\"series\"><title>\(Self.escape(s.name))</title>")
            svg.append("<polyline points=\"\(coordinates)\" \(stroke(s, i))/>")
            if s.markers {
                svg += points.map { p in
                    let circle = "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(p.y)))\" r=\"3.5\" fill=\"\(color(s, i))\""
                    return circle + (p.tip.map { "><title>\(Self.escape($0))</title></circle>" } ?? "/>")
                }
            }
            svg.append("</g>")
        }
        svg.append("</g>")
        // Legend: top left inside the plot, where speedup and loss curves leave room, or right of it.
        let rowHeight = 18.0, legendLeft = legend == .right ? right + 12 : left + 10
        svg.append("<g class=\"legend\" font-size=\"12\">")
        svg.append("<rect x=\"\(n(legendLeft))\" y=\"\(n(top + 10))\" width=\"\(n(legendWidth))\" " +
                   "height=\"\(n(rowHeight * Double(listed.count) + 8))\" fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#bbbbbb\"/>")
        for (row, i) in listed.enumerated() {
            let s = series[i], yRow = top + 22 + rowHeight * Double(row)
            svg.append("<line x1=\"\(n(legendLeft + 8))\" y1=\"\(n(yRow))\" x2=\"\(n(legendLeft + 36))\" y2=\"\(n(yRow))\" \(stroke(s, i))/>")
            if s.markers { svg.append("<circle cx=\"\(n(legendLeft + 22))\" cy=\"\(n(yRow))\" r=\"3.5\" fill=\"\(color(s, i))\"/>") }
            svg.append(text(s.name, legendLeft + 42, yRow + 4, anchor: "start"))
        }
        svg.append("</g>")
        return svg
    }

    private func color(_ s: Series, _ i: Int) -> String { Self.escape(s.color ?? Self.palette[i % Self.palette.count]) }

    /// Writes the chart to `path` atomically (`AtomicFile`).
    /// - Throws: `SpindleError.cannotWrite` when the file cannot be written.
    public func write(to path: String) throws {
        try Self.write([self], to: path)
    }

    /// Writes `charts`, stacked as in `document(_:)`, to `path` atomically (`AtomicFile`).
    /// - Throws: `SpindleError.cannotWrite` when the file cannot be written.
    public static func write(_ charts: [SVGPlot], to path: String) throws {
        let document = document(charts)
        try AtomicFile.write(to: path) { temporary in
            do {
                try document.write(toFile: temporary, atomically: false, encoding: .utf8)
            } catch {
                throw SpindleError.cannotWrite(path: path, reason: error.localizedDescription)
            }
        }
    }
}
