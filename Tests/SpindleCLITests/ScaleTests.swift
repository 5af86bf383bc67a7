import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLDocument lives here on Linux; in Foundation itself on macOS
#endif
import SpindleTestSupport
import Testing

/// `spindle scale`: the table, the JSON report and the SVG plot it writes, and its flag checks.
@Suite struct ScaleTests {
    /// A measurement that takes a fraction of a second.
    static let quick = ["--synthetic", "512", "--layers", "32", "--steps", "3", "--repeats", "1"]
    static let columns = ["workers", "samples/s", "speedup", "efficiency", "Amdahl fit", "fwd+bwd %", "grads %",
                          "optimizer %", "barrier %", "data %", "coord %"]

    @Test func tableJSONAndPlot() throws {
        let scratch = try TemporaryDirectory()
        let result = try spindleSucceeds(["scale"] + Self.quick + ["--workers", "2,1"], in: scratch)
        let lines = result.stdoutLines
        // Stated above the table: each count uses shards = workers.
        #expect(lines.first?.contains("shards = workers") == true, "\(result.transcript)")
        let headerIndex = try #require(lines.firstIndex { $0.hasPrefix("workers") }, "\(result.transcript)")
        let header = lines[headerIndex]
        for column in Self.columns { #expect(header.contains(column), "column \(column): \(header)") }
        // One row per count, ascending, right-aligned under the header: every line as wide.
        let rows = Array(lines[(headerIndex + 1)...].prefix(2))
        #expect(rows.map { $0.split(separator: " ").first.map(String.init) } == ["1", "2"], "\(result.transcript)")
        #expect(rows.allSatisfy { $0.count == header.count }, "aligned columns:\n\(result.stdout)")
        for row in rows {
            let fields = row.split(separator: " ")
            #expect(fields.count == Self.columns.count, "\(row)")
            let rate = Double(fields[1].replacingOccurrences(of: ",", with: "")) ?? 0
            #expect(rate > 0, "samples/s in \(row)")
            let percents = fields.suffix(6).compactMap { Double($0) }
            #expect(percents.count == 6 && abs(percents.reduce(0, +) - 100) < 0.5, "time split adds to 100 %: \(row)")
        }
        #expect(rows.first?.split(separator: " ")[2] == "1.00", "speedup of the first count is 1")
        #expect(lines.contains { $0.hasPrefix("serial fraction (Amdahl fit):") }, "\(result.stdout)")
        #expect(lines.last == "wrote scale.json and scale.svg", "\(result.stdout)")
        // The two files, written atomically: nothing else left in the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == ["scale.json", "scale.svg"])

        let report = try jsonObject(try String(contentsOfFile: scratch.path("scale.json"), encoding: .utf8))
        try Self.expectDocumentedKeys(report, workers: [1, 2])
        try Self.expectWellFormedSVG(scratch.path("scale.svg"), labels: ["measured", "ideal (S = W)"])
    }

    /// --json: the report on stdout as one line, the same keys as the file.
    @Test func jsonLineAndOutputPrefix() throws {
        let scratch = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: scratch.path("runs"), withIntermediateDirectories: true)
        let result = try spindleSucceeds(["scale", "--json", "--workers", "1", "--output-prefix", "runs/speed"] + Self.quick,
                                         in: scratch)
        #expect(result.stdoutLines.count == 1, "\(result.transcript)")
        let report = try jsonObject(result.stdoutLines.first ?? "")
        try Self.expectDocumentedKeys(report, workers: [1])
        #expect(report["serial_fraction"] == nil, "no fit from one worker count: \(report)")
        #expect(scratch.exists("runs/speed.json") && scratch.exists("runs/speed.svg"))
        try Self.expectWellFormedSVG(scratch.path("runs/speed.svg"), labels: ["measured"])
    }

    /// Without a file or --synthetic, the bundled dataset's training split.
    @Test func bundledDataByDefault() throws {
        let scratch = try TemporaryDirectory()
        let result = try spindleSucceeds(["scale", "--json", "--workers", "1", "--layers", "16", "--steps", "2",
                                          "--repeats", "1"], in: scratch)
        let environment = try #require(try jsonObject(result.stdoutLines.first ?? "")["environment"] as? [String: Any])
        #expect(environment["architecture"] as? String == "784-16-10")
        #expect((environment["data"] as? String)?.contains("fashion-mnist-small.h5") == true, "\(environment)")
    }

    @Test func workerCountAboveTheCoresWarns() throws {
        let scratch = try TemporaryDirectory()
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let result = try spindleSucceeds(["scale", "--workers", "1,\(cores + 1)"] + Self.quick, in: scratch)
        let warnings = result.stderrLines.filter { $0.contains("warning") }
        #expect(warnings.count == 1, "one warning line:\n\(result.transcript)")
        #expect(warnings.first?.contains("--workers \(cores + 1)") == true && warnings.first?.contains("\(cores) cores") == true,
                "\(result.transcript)")
        // It was measured all the same: a row of the table.
        #expect(result.stdoutLines.contains { $0.split(separator: " ").first == "\(cores + 1)*"[...] }, "\(result.stdout)")
        #expect(result.stdoutLines.contains { $0.hasPrefix("* more workers than the \(cores) cores") }, "\(result.stdout)")
    }

    /// Flag mistakes: exit 64, one "Error: …" line naming the flag and the value, then only
    /// ArgumentParser's usage hint; nothing written.
    @Test(arguments: [
        (["--workers", "1,,2"], ["--workers", "'1,,2'"]),
        (["--workers", "a"], ["--workers", "'a'"]),
        (["--workers", "0"], ["--workers", "'0'", "1 to 1024"]),
        (["--workers", "-1"], ["--workers", "'-1'"]),
        (["--workers=-1"], ["--workers", "'-1'"]),
        (["--workers", "1,2,5000"], ["--workers", "'5000'"]),
        (["--workers", ""], ["--workers", "''"]),
        (["--steps", "0"], ["--steps", "'0'"]),
        (["--repeats", "-2"], ["--repeats", "'-2'"]),
        (["--batch-size", "0"], ["--batch-size", "'0'"]),
        (["--synthetic", "100"], ["--synthetic", "'100'"]),
        (["--layers", "32,,8"], ["--layers", "'32,,8'"]),
        (["--output-prefix", "runs/"], ["--output-prefix", "'runs/'"]),
    ])
    func badFlagsGiveOneLineErrors(_ flags: [String], _ mentions: [String]) throws {
        let scratch = try TemporaryDirectory()
        let result = try spindle(["scale", "--synthetic", "512"] + flags, in: scratch)
        let lines = result.stderrLines
        #expect(result.status == 64, "\(result.transcript)")
        #expect(result.stdout.isEmpty)
        let message = lines.first ?? ""
        #expect(message.hasPrefix("Error: "), "\(result.transcript)")
        for mention in mentions { #expect(message.contains(mention), "message lacks \(mention): \(message)") }
        let hints = ["Help:  ", "Usage: ", "  See '"]
        #expect(lines.dropFirst().allSatisfy { line in hints.contains { line.hasPrefix($0) } } && lines.count <= 4,
                "one message and the usage hint:\n\(result.transcript)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }

    /// Mistakes found while running: exit 1, one "spindle: …" line, nothing written.
    @Test func dataMistakesGiveOneLineErrors() throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData().write(to: scratch.path("data.h5"))  // 120 rows
        let before = scratch.snapshot()
        for (arguments, mention) in [(["data.h5"], "--batch-size '256'"), (["nope.h5"], "nope.h5: no such file"),
                                     (["data.h5", "--batch-size", "32", "--output-prefix", "missing/scale"], "missing/scale.json")] {
            let result = try spindle(["scale", "--steps", "1", "--repeats", "1", "--layers", "8"] + arguments, in: scratch)
            #expect(result.status == 1, "\(result.transcript)")
            #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("spindle: ") && result.stderr.contains(mention),
                    "\(result.transcript)")
            #expect(scratch.snapshot() == before, "nothing written by \(arguments)")
        }
        // The same file with a batch that fits measures fine.
        try spindleSucceeds(["scale", "data.h5", "--batch-size", "32", "--steps", "1", "--repeats", "1", "--layers", "8",
                             "--workers", "1,2"], in: scratch)
    }

    // MARK: - Helpers

    static func expectDocumentedKeys(_ report: [String: Any], workers: [Int],
                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let environment = try #require(report["environment"] as? [String: Any], sourceLocation: sourceLocation)
        for key in ["spindle_version", "blas", "cores", "architecture", "parameters", "batch_size", "optimizer",
                    "steps", "warmup_steps", "repeats", "shards", "data"] {
            #expect(environment[key] != nil, "environment.\(key) in \(environment)", sourceLocation: sourceLocation)
        }
        #expect(report["fitted_workers"] is [Int], sourceLocation: sourceLocation)
        let rows = try #require(report["rows"] as? [[String: Any]], sourceLocation: sourceLocation)
        #expect(rows.compactMap { $0["workers"] as? Int } == workers, sourceLocation: sourceLocation)
        for row in rows {
            for key in ["workers", "shards", "samples_per_second", "runs", "speedup", "efficiency", "time_split", "timings"] {
                #expect(row[key] != nil, "rows[].\(key) in \(row)", sourceLocation: sourceLocation)
            }
            #expect(row["shards"] as? Int == row["workers"] as? Int, sourceLocation: sourceLocation)
            #expect((row["samples_per_second"] as? Double ?? 0) > 0, sourceLocation: sourceLocation)
            let split = try #require(row["time_split"] as? [String: Double], sourceLocation: sourceLocation)
            #expect(Set(split.keys) == ["forward_backward", "gradients", "optimizer", "barrier_wait", "data_wait",
                                        "coordinator"], sourceLocation: sourceLocation)
            #expect(abs(split.values.reduce(0, +) - 1) < 1e-9, "\(split)", sourceLocation: sourceLocation)
        }
    }

    static func expectWellFormedSVG(_ path: String, labels: [String],
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let document: XMLDocument
        do {
            document = try XMLDocument(contentsOf: URL(fileURLWithPath: path), options: [])
        } catch {
            Issue.record("\(path) is not well-formed XML: \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(document.rootElement()?.name == "svg", sourceLocation: sourceLocation)
        let texts = try document.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
        for label in labels { #expect(texts.contains(label), "legend lacks \(label): \(texts)", sourceLocation: sourceLocation) }
        #expect(try !document.nodes(forXPath: "//*[local-name()='polyline']").isEmpty, sourceLocation: sourceLocation)
    }
}
