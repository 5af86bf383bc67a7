import ArgumentParser
import Foundation
import Spindle

/// `spindle plot`: learning curves from a `spindle train --log` file, as one SVG.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the learning curves of a `spindle train --log` file as an SVG.",
        discussion: """
            Writes one SVG with two charts stacked: loss against epoch on top (training solid, \
            validation dashed when the run had a validation split, e.g. --val-fraction), and below \
            it accuracy against epoch, for classifiers only. The file is replaced atomically.
            """)

    @Argument(help: "JSON-lines log written by `spindle train --log FILE`.")
    var log: String

    @Option(name: .shortAndLong, help: "SVG file to write (default: the log's name with .svg, e.g. run.jsonl → run.svg).")
    var output: String?

    /// --output, or the log's path with its extension replaced by .svg.
    var outputPath: String {
        output ?? (log as NSString).deletingPathExtension + ".svg"
    }

    func run() throws {
        try reportingErrors {
            guard let data = FileManager.default.contents(atPath: log) else {
                let reason = FileManager.default.fileExists(atPath: log) ? "cannot be read" : "no such file"
                throw SpindleCLIError("cannot read log '\(log)': \(reason)")
            }
            let curves = try TrainingCurves(log: String(decoding: data, as: UTF8.self), source: log)
            try SVGPlot.write(curves.plots, to: outputPath)
            print("wrote \(outputPath) (\(curves.epochs.count) epoch\(curves.epochs.count == 1 ? "" : "s"))")
        }
    }
}
