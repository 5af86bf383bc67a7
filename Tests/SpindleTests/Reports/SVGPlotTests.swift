import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLDocument lives here on Linux; in Foundation itself on macOS
#endif
import Spindle
import SpindleTestSupport
import Testing

/// The line-chart writer: its output must be well-formed XML (what browsers demand of an .svg
/// file), hold one line per series and a legend naming each, and escape text; its ticks must be
/// 1, 2 or 5 × 10^k apart and enclose the data.
struct SVGPlotTests {
    static func samplePlot(title: String = "Speed <&> \"quotes\" 'too'") -> SVGPlot {
        SVGPlot(title: title, x: .init(label: "workers", integer: true), y: .init(label: "speedup"),
                series: [.init(name: "measured", points: [(1, 1), (2, 1.8), (4, 3.1)]),
                         .init(name: "ideal <S = W>", points: [(1, 1), (4, 4)], style: .dashed, markers: false),
                         .init(name: "Amdahl & co", points: [(1, 1), (2, 1.7), (4, 2.9)], style: .dotted,
                               markers: false, color: "#123456")])
    }

    /// Parses `svg` as XML, recording the parser's error if it is not well-formed.
    static func parse(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> XMLDocument {
        do {
            return try XMLDocument(data: Data(svg.utf8), options: [])
        } catch {
            Issue.record("not well-formed XML: \(error)\n\(svg)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Elements named `name` in any namespace (SVG elements are in the SVG namespace, which a
    /// plain XPath name test would not match).
    static func elements(_ document: XMLDocument, _ name: String) throws -> [XMLNode] {
        try document.nodes(forXPath: "//*[local-name()='\(name)']")
    }

    /// An attribute's value, looked up in the attribute list: swift-corelibs-foundation's
    /// `attribute(forName:)` finds nothing on an element that has a default namespace (as every
    /// SVG element has).
    static func attribute(_ node: XMLNode, _ name: String) -> String? {
        (node as? XMLElement)?.attributes?.first { $0.name == name }?.stringValue
    }

    @Test func rendersWellFormedSVGWithEverySeriesAndLegend() throws {
        let plot = Self.samplePlot()
        let document = try Self.parse(plot.render())
        let root = try #require(document.rootElement())
        #expect(root.name == "svg")
        #expect(Self.attribute(root, "version") == "1.1")
        #expect(root.uri == "http://www.w3.org/2000/svg" || Self.attribute(root, "xmlns") == "http://www.w3.org/2000/svg")

        // One polyline per series, each with as many points as the series.
        let polylines = try Self.elements(document, "polyline")
        #expect(polylines.count == plot.series.count)
        for (line, series) in zip(polylines, plot.series) {
            let points = Self.attribute(line, "points") ?? ""
            #expect(points.split(separator: " ").count == series.points.count, "\(series.name): \(points)")
        }
        // Text comes back unescaped by the parser: the title and every legend label as given.
        let texts = try Self.elements(document, "text").compactMap(\.stringValue)
        #expect(texts.contains(plot.title), "\(texts)")
        for series in plot.series { #expect(texts.contains(series.name), "legend lacks \(series.name): \(texts)") }
        #expect(texts.contains("workers") && texts.contains("speedup"))
        // Dashed and dotted series are drawn so, in the plot and in the legend.
        let svg = plot.render()
        #expect(svg.components(separatedBy: "stroke-dasharray=\"8 5\"").count - 1 == 2)
        #expect(svg.components(separatedBy: "stroke-dasharray=\"2 4\"").count - 1 == 2)
        #expect(svg.contains("#123456"))
        // Markers: three points of the one series that has them, plus its legend sample.
        #expect(try Self.elements(document, "circle").count == 4)
    }

    @Test func writesTheFileAtomically() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("plot.svg")
        try Self.samplePlot().write(to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["plot.svg"])
        _ = try Self.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(throws: SpindleError.self) { try Self.samplePlot().write(to: directory.path("missing/plot.svg")) }
    }

    /// (range, integer): ranges of every scale, a single value, and a count axis.
    static let tickCases: [(ClosedRange<Double>, Bool)] = [
        (0...7.3, false), (0.013...0.087, false), (-3...250, false), (1...1, false), (0...1e6, false),
        (0...0.9, false), (0...3, true), (1...16, true), (0...1024, true),
    ]

    @Test(arguments: tickCases)
    func ticksAreNiceAndEncloseTheRange(_ range: ClosedRange<Double>, _ integer: Bool) throws {
        let ticks = SVGPlot.niceTicks(range, integer: integer)
        #expect(ticks.count >= 3 && ticks.count <= 12, "\(range): \(ticks)")
        let first = try #require(ticks.first), last = try #require(ticks.last)
        #expect(first <= range.lowerBound && last >= range.upperBound, "\(range): \(ticks)")
        let step = ticks[1] - ticks[0]
        for (a, b) in zip(ticks, ticks.dropFirst()) {
            #expect(abs((b - a) - step) <= step * 1e-9, "even spacing: \(ticks)")
        }
        // step = m × 10^k with m ∈ {1, 2, 5}
        let mantissa = step / pow(10, log10(step).rounded(.down))
        #expect([1.0, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(step) of \(ticks)")
        if integer { #expect(step >= 1 && step == step.rounded(), "whole-number ticks: \(ticks)") }
    }

    /// Tick labels carry the decimals the spacing needs: 0.0, 0.2, … not 0.200000.
    @Test func tickLabelsAreShort() throws {
        let plot = SVGPlot(title: "t", x: .init(label: "x", range: 0...1), y: .init(label: "y", range: 0...0.05),
                           series: [.init(name: "s", points: [(0, 0), (1, 0.05)])])
        let texts = try Self.elements(try Self.parse(plot.render()), "text").compactMap(\.stringValue)
        #expect(texts.contains("0.2") && texts.contains("1.0"), "\(texts)")
        #expect(texts.contains("0.01") && texts.contains("0.05"), "\(texts)")
    }

    /// A logarithmic axis: decade ticks (every other one over 12 decades) labelled 0.001…1000 plainly and "1e-k" beyond, values
    /// placed by their log₁₀ (so 1e-6 sits halfway between 1e-12 and 1), values ≤ 0 left out.
    @Test func logarithmicAxisPlacesDecades() throws {
        let plot = SVGPlot(title: "t", x: .init(label: "depth", integer: true), y: .init(label: "norm", logarithmic: true),
                           series: [.init(name: "s", points: [(1, 1e-12), (2, 1e-6), (3, 1), (4, 0)],
                                          tips: ["a", "b", "c", "d"])])
        let document = try Self.parse(plot.render())
        let texts = Set(try Self.elements(document, "text").compactMap(\.stringValue))
        for label in ["1e-12", "1e-10", "1e-8", "1e-6", "1e-4", "0.01", "1"] { #expect(texts.contains(label), "\(label) in \(texts.sorted())") }
        let polyline = try #require(try Self.elements(document, "polyline").first)
        let points = try #require(Self.attribute(polyline, "points"))
        let ys = points.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        #expect(ys.count == 3, "the value 0 has no place on a log axis: \(points)")
        #expect(abs((ys[0] - ys[1]) - (ys[1] - ys[2])) < 0.02, "equal steps for equal ratios: \(ys)")
        #expect(ys[0] > ys[2], "larger values higher up")
        // Each drawn point's tooltip, in order.
        let tips = try Self.elements(document, "circle").compactMap(\.stringValue).filter { !$0.isEmpty }
        #expect(tips == ["a", "b", "c"])
    }

    /// With the legend to the right, the plot narrows so that legend and lines never overlap.
    @Test func legendToTheRightLeavesThePlotClear() throws {
        var plot = Self.samplePlot(title: "t")
        plot.legend = .right
        let document = try Self.parse(plot.render())
        let rects = try Self.elements(document, "rect")
        let frame = try #require(rects.first { Self.attribute($0, "stroke") == "#555555" })
        let box = try #require(rects.first { Self.attribute($0, "stroke") == "#bbbbbb" })
        let frameRight = Double(Self.attribute(frame, "x")!)! + Double(Self.attribute(frame, "width")!)!
        let boxLeft = Double(Self.attribute(box, "x")!)!, boxRight = boxLeft + Double(Self.attribute(box, "width")!)!
        #expect(boxLeft > frameRight && boxRight <= plot.width, "legend \(boxLeft)…\(boxRight), plot ends at \(frameRight)")
    }
}
