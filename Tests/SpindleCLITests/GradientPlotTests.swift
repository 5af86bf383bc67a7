import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLDocument lives here on Linux; in Foundation itself on macOS
#endif
import SpindleTestSupport
import Testing

/// Gradient diagnostics from the command line: `train --log` and `--json` carry each layer's
/// figures, a deep sigmoid stack warns once (on stderr, or in `--json`'s summary; in the log), and `spindle plot --gradients`
/// draws them against depth, a line per epoch on a log scale.
@Suite struct GradientPlotTests {
    /// Ten sigmoid layers: the gradient shrinks about fourfold through each.
    static let vanishing = "dense(16),repeat(9,dense(16),sigmoid)"
    /// The dense groups of `vanishing` in the model file, and its output layer.
    static let groups = ["00_dense"] + (0..<9).map { String(format: "%02d_dense", 1 + 2 * $0) } + ["19_dense"]

    @discardableResult
    static func train(_ model: String, in scratch: TemporaryDirectory, extra: [String] = []) throws -> ProcessResult {
        try SyntheticData(trainRows: 120, testRows: 30).write(to: scratch.path("data.h5"))
        return try spindleSucceeds(["train", "data.h5", "--model", model, "--epochs", "3", "--batch-size", "32",
                                    "--optimizer", "sgd", "--lr", "0.1", "--log", "run.jsonl"] + extra, in: scratch)
    }

    @Test func logAndSummaryCarryEachLayerAndTheWarning() throws {
        let scratch = try TemporaryDirectory()
        let result = try Self.train(Self.vanishing, in: scratch, extra: ["--json"])
        let lines = try String(contentsOfFile: scratch.path("run.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try jsonObject(String($0)) }
        #expect(lines.map { $0["event"] as? String } == ["start", "epoch", "warning", "epoch", "epoch"],
                "the warning once, after the first epoch")
        for epoch in lines.filter({ $0["event"] as? String == "epoch" }) {
            let layers = try #require(epoch["layers"] as? [[String: Any]])
            #expect(layers.map { $0["layer"] as? String } == Self.groups.map { Optional($0) })
            for layer in layers {
                for key in ["gradientNorm", "weightNorm", "updateRatio"] {
                    #expect((layer[key] as? Double).map { $0 > 0 && $0.isFinite } == true, "\(key) in \(layer)")
                }
            }
            let norms = layers.map { $0["gradientNorm"] as! Double }
            #expect(norms[0] < 1e-3 * norms[norms.count - 1], "vanishing: \(norms)")
        }
        let warning = lines[2]
        #expect(warning["kind"] as? String == "vanishing-gradients" && warning["epoch"] as? Int == 1)
        #expect((warning["value"] as? Double).map { $0 < 1e-3 } == true)
        let message = try #require(warning["message"] as? String)
        #expect(message.hasPrefix("vanishing gradients: after epoch 1 the first layers' gradient norms (00_dense…01_dense"))
        #expect(message.hasSuffix("relu instead of sigmoid or tanh, --init he"))
        #expect(result.stderr.isEmpty, "--json: the warning is in the summary: \(result.transcript)")

        let summary = try jsonObject(result.stdout.trimmingCharacters(in: .newlines))
        #expect(summary["warnings"] as? [String] == [message])
        let layers = try #require(summary["layers"] as? [[String: Any]])
        let lastEpoch = try #require(lines[4]["layers"] as? [[String: Any]])
        #expect(layers.map { $0["gradientNorm"] as? Double } == lastEpoch.map { $0["gradientNorm"] as? Double },
                "the summary holds the last epoch's")
    }

    /// Elements named `name` in any namespace (SVG elements are in the SVG namespace).
    static func elements(_ node: XMLNode, _ name: String) throws -> [XMLNode] {
        try node.nodes(forXPath: ".//*[local-name()='\(name)']")
    }

    static func attribute(_ node: XMLNode, _ name: String) -> String? {
        (node as? XMLElement)?.attributes?.first { $0.name == name }?.stringValue
    }

    @Test func plotDrawsEachEpochAgainstDepthOnALogScale() throws {
        let scratch = try TemporaryDirectory()
        let train = try Self.train(Self.vanishing, in: scratch)
        let warnings = train.stderrLines.filter { $0.contains("warning") }
        #expect(warnings.count == 1 && warnings[0].hasPrefix("spindle: warning: vanishing gradients: after epoch 1 "),
                "once, on stderr: \(train.transcript)")
        let plot = try spindleSucceeds(["plot", "run.jsonl", "--gradients"], in: scratch)
        #expect(plot.stdout == "wrote run-gradients.svg (3 epochs)\n", "\(plot.transcript)")
        let svg = try #require(FileManager.default.contents(atPath: scratch.path("run-gradients.svg")))
        let document = try XMLDocument(data: svg)
        let root = try #require(document.rootElement())
        #expect(root.name == "svg")

        // Three charts stacked, each with its title, a line per epoch and the epochs in its legend.
        let charts = try root.nodes(forXPath: "./*[local-name()='g' and starts-with(@transform, 'translate')]")
        #expect(charts.count == 3)
        let titles = ["Gradient norm by layer", "Update-to-weight ratio by layer", "Weight norm by layer"]
        var lines: [[(x: Double, y: Double)]] = []
        for (chart, title) in zip(charts, titles) {
            let texts = try Self.elements(chart, "text").compactMap(\.stringValue)
            #expect(texts.contains(title), "\(texts)")
            #expect(texts.contains("layer depth (layers with parameters, input to output)"))
            for epoch in 1...3 { #expect(texts.contains("epoch \(epoch)"), "legend: \(texts)") }
            let polylines = try Self.elements(chart, "polyline")
            #expect(polylines.count == 3, "\(title): one line per epoch")
            for line in polylines {
                let points = (Self.attribute(line, "points") ?? "").split(separator: " ").map { pair in
                    let xy = pair.split(separator: ",").map { Double($0)! }
                    return (x: xy[0], y: xy[1])
                }
                #expect(points.count == Self.groups.count, "\(title): a point per layer with parameters")
                #expect(zip(points, points.dropFirst()).allSatisfy { $0.x < $1.x }, "depth grows to the right")
                lines.append(points)
            }
            // Every marker of the plot names its layer.
            let tips = try Self.elements(chart, "circle").compactMap(\.stringValue).filter { !$0.isEmpty }
            #expect(tips == Array(repeating: Self.groups, count: 3).flatMap { $0 }, "\(title)")
        }
        // Log scale: decade labels such as 1e-5; a vanishing gradient is a line that climbs by
        // orders of magnitude from the first layer to the last (SVG's y grows downwards).
        let gradientTexts = try Self.elements(charts[0], "text").compactMap(\.stringValue)
        #expect(gradientTexts.contains { $0.hasPrefix("1e-") }, "\(gradientTexts)")
        for line in lines.prefix(3) { #expect(line[0].y > line[line.count - 1].y + 100, "\(line)") }
    }

    @Test func aLogWithoutDiagnosticsFailsWithOneLine() throws {
        let scratch = try TemporaryDirectory()
        try #"{"event":"start"}\#n{"event":"epoch","epoch":1,"trainLoss":0.5}\#n"#
            .write(toFile: scratch.path("old.jsonl"), atomically: true, encoding: .utf8)
        try #"{"event":"epoch","epoch":1,"trainLoss":0.5,"layers":[{"layer":"00_dense"}]}\#n"#
            .write(toFile: scratch.path("bad.jsonl"), atomically: true, encoding: .utf8)
        let before = scratch.snapshot()
        for (log, message) in [("old.jsonl", "spindle: old.jsonl: has no gradient diagnostics (\"layers\" in an epoch line); " +
                                "expected a log written by `spindle train --log` of a model with parameters"),
                               ("bad.jsonl", "spindle: bad.jsonl:1: epoch line whose \"epoch\" or \"layers\" is malformed; " +
                                "expected a number and a list of {\"layer\", \"gradientNorm\", \"weightNorm\", \"updateRatio\"}")] {
            let result = try spindle(["plot", log, "--gradients"], in: scratch)
            #expect(result.status == 1 && result.stderrLines == [message], "\(result.transcript)")
        }
        #expect(scratch.snapshot() == before, "nothing written")
    }
}
