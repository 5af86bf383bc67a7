import ArgumentParser
import Foundation
import Spindle

/// `spindle plot`: learning curves, or gradient diagnostics by layer, from a `spindle train --log`
/// file, as one SVG.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the learning curves (or, with --gradients, the gradient diagnostics) of a `spindle train --log` file as an SVG.",
        discussion: """
            Writes one SVG with two charts stacked: loss against epoch on top (training solid, \
            validation dashed when the run had a validation split, e.g. --val-fraction), and below \
            it accuracy against epoch, for classifiers only. With --gradients, three charts against \
            layer depth instead (the layers with parameters, input to output), one line per epoch \
            on a log scale: each layer's gradient norm, its update-to-weight ratio and its weight \
            norm; a vanishing gradient shows as a line falling by orders of magnitude towards the \
            first layers. The file is replaced atomically.
            """)

    @Argument(help: "JSON-lines log written by `spindle train --log FILE`.")
    var log: String

    @Flag(help: "Draw the gradient diagnostics by layer instead of the learning curves.")
    var gradients = false

    @Option(name: .shortAndLong,
            help: "SVG file to write (default: the log's name with .svg, or -gradients.svg with --gradients: run.jsonl → run.svg, run-gradients.svg).")
    var output: String?

    /// --output, or the log's path with its extension replaced.
    var outputPath: String {
        output ?? (log as NSString).deletingPathExtension + (gradients ? "-gradients.svg" : ".svg")
    }

    func run() throws {
        try reportingErrors {
            guard let data = FileManager.default.contents(atPath: log) else {
                let reason = FileManager.default.fileExists(atPath: log) ? "cannot be read" : "no such file"
                throw SpindleCLIError("cannot read log '\(log)': \(reason)")
            }
            let text = String(decoding: data, as: UTF8.self)
            let epochs: Int
            if gradients {
                let curves = try GradientCurves(log: text, source: log)
                try SVGPlot.write(curves.plots, to: outputPath)
                epochs = curves.epochs.count
            } else {
                let curves = try TrainingCurves(log: text, source: log)
                try SVGPlot.write(curves.plots, to: outputPath)
                epochs = curves.epochs.count
            }
            print("wrote \(outputPath) (\(epochs) epoch\(epochs == 1 ? "" : "s"))")
        }
    }
}
