import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLDocument lives here on Linux; in Foundation itself on macOS
#endif
import HDF5Kit
import SpindleTestSupport
import Testing

/// `spindle plot`: a `train --log` file becomes one SVG with the loss and accuracy curves;
/// a bad log is one line on stderr and no file.
@Suite struct PlotTests {
    /// Trains 4 epochs with a validation split and a log; returns the scratch directory.
    static func trainedRun() throws -> TemporaryDirectory {
        let scratch = try TemporaryDirectory()
        try SyntheticData().write(to: scratch.path("data.h5"))
        try spindleSucceeds(["train", "data.h5", "--quiet", "--layers", "16", "--epochs", "4", "--batch-size", "32",
                             "--val-fraction", "0.2", "--log", "run.jsonl"], in: scratch)
        return scratch
    }

    /// Elements named `name` in any namespace (a plain XPath name test misses the SVG namespace).
    static func elements(_ document: XMLDocument, _ name: String) throws -> [XMLNode] {
        try document.nodes(forXPath: "//*[local-name()='\(name)']")
    }

    /// An attribute read from the attribute list: on Linux `attribute(forName:)` finds nothing on
    /// an element with a default namespace, as every SVG element has.
    static func attribute(_ node: XMLNode, _ name: String) -> String? {
        (node as? XMLElement)?.attributes?.first { $0.name == name }?.stringValue
    }

    @Test func drawsLossAndAccuracyForTrainingAndValidation() throws {
        let scratch = try Self.trainedRun()
        let plot = try spindleSucceeds(["plot", "run.jsonl", "-o", "curves.svg"], in: scratch)
        #expect(plot.stdout.contains("curves.svg"), "\(plot.transcript)")
        let svg = try #require(FileManager.default.contents(atPath: scratch.path("curves.svg")))
        let document = try XMLDocument(data: svg, options: [])
        #expect(document.rootElement()?.name == "svg")

        // Four series (training and validation, loss and accuracy), one point per epoch each.
        let series = try Self.elements(document, "g").filter { Self.attribute($0, "class") == "series" }
        #expect(series.map(\.stringValue?.description) ==
                ["training loss", "validation loss", "training accuracy", "validation accuracy"].map { Optional($0) },
                "each series names itself in a <title>")
        let polylines = try Self.elements(document, "polyline")
        #expect(polylines.count == 4)
        for line in polylines {
            #expect((Self.attribute(line, "points") ?? "").split(separator: " ").count == 4, "\(line)")
        }
        // Legend labels and chart titles as text.
        let texts = Set(try Self.elements(document, "text").compactMap(\.stringValue))
        for label in ["training loss", "validation loss", "training accuracy", "validation accuracy",
                      "Loss", "Accuracy", "epoch"] {
            #expect(texts.contains(label), "\(label) in \(texts.sorted())")
        }
        // Clip ids stay unique with two charts in one document.
        let ids = try Self.elements(document, "clipPath").compactMap { Self.attribute($0, "id") }
        #expect(ids.count == 2 && Set(ids).count == 2, "\(ids)")

        // Without -o, the log's name with .svg.
        try spindleSucceeds(["plot", "run.jsonl"], in: scratch)
        #expect(scratch.exists("run.svg"))
    }

    @Test(arguments: [
        ("no such file", "", "cannot read log 'missing.jsonl': no such file"),
        ("a line that is not JSON", "{\"event\":\"start\"}\n{\"event\":\"epoch\", trunc", "log.jsonl:2: is not JSON"),
        ("no epoch lines", "{\"event\":\"start\"}\n\n", "log.jsonl: has no epoch lines"),
        ("an epoch line without a loss", "{\"event\":\"epoch\",\"epoch\":1}", "log.jsonl:1: epoch line without"),
    ])
    func badLogsFailWithOneLine(_ what: String, _ contents: String, _ message: String) throws {
        let scratch = try TemporaryDirectory()
        let name = what == "no such file" ? "missing.jsonl" : "log.jsonl"
        if name == "log.jsonl" { try contents.write(toFile: scratch.path(name), atomically: true, encoding: .utf8) }
        let before = scratch.snapshot()
        let result = try spindle(["plot", name, "-o", "out.svg"], in: scratch)
        #expect(result.status == 1, "\(what): \(result.transcript)")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("spindle: "),
                "\(what): one line: \(result.transcript)")
        #expect(result.stderr.contains(message), "\(what): \(result.transcript)")
        #expect(scratch.snapshot() == before, "\(what): nothing written")
    }
}

/// `spindle eval` on a classifier: the confusion matrix, per-class scores and the dataset's
/// class names. (Kept beside the plot tests: both are the reports that read a run back.)
@Suite struct EvalReportTests {
    @Test func confusionMatrixCoversEveryRowAndNamesTheClasses() throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData(trainRows: 120, testRows: 30, classes: 3).write(to: scratch.path("data.h5"))
        do {
            let file = try H5File.open(scratch.path("data.h5"), mode: .readWrite)
            try file.setAttribute("class_names", ["alpha", "beta & co", "gamma"])
            try file.close()
        }
        let model = try trainModel(on: "data.h5", in: scratch)

        let json = try jsonObject(try spindleSucceeds(["eval", model, "data.h5", "--json"], in: scratch).stdout
            .trimmingCharacters(in: .newlines))
        let confusion = try #require(json["confusion"] as? [[Int]], "\(json)")
        #expect(confusion.count == 3 && confusion.allSatisfy { $0.count == 3 })
        #expect(confusion.joined().reduce(0, +) == 30, "the matrix counts every test row once")
        #expect(confusion.map { $0.reduce(0, +) } == [10, 10, 10], "rows are the true classes")
        let correct = (0..<3).map { confusion[$0][$0] }.reduce(0, +)
        #expect(abs(Double(correct) / 30 - (json["accuracy"] as? Double ?? -1)) <= 1e-12)
        #expect(json["class_names"] as? [String] == ["alpha", "beta & co", "gamma"])
        for key in ["precision", "recall", "f1"] {
            let scores = try #require(json[key] as? [Any], "\(key) in \(json)")
            #expect(scores.count == 3)
            #expect(scores.allSatisfy { ($0 as? Double).map { (0...1).contains($0) } ?? ($0 is NSNull) }, "\(key): \(scores)")
        }

        let table = try spindleSucceeds(["eval", model, "data.h5"], in: scratch)
        for text in ["precision", "recall", "f1", "alpha", "beta & co", "gamma", "confusion"] {
            #expect(table.stdout.contains(text), "\(text):\n\(table.transcript)")
        }
    }
}
