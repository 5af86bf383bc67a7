import ArgumentParser
import Foundation
import Spindle

extension SyntheticDataset.FeatureType: ExpressibleByArgument {}

/// `spindle synth`: writes a learnable synthetic classification dataset of any size, chunk by
/// chunk, without holding it in memory.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a learnable synthetic classification dataset of any size.",
        discussion: """
            Features are standard normal random numbers from Philox (key = --seed); each row's label is the \
            argmax of a fixed random network with one hidden layer of 32 tanh units, so a model can \
            learn it. Writes /train/x [ROWS, FEATURES], /train/y [ROWS] (int64), /test/x and /test/y, \
            a chunk of rows at a time; the same seed always gives the same file.
            """)

    @Option(parsing: .unconditional, help: "Training rows.")
    var rows: Int

    @Option(parsing: .unconditional, help: "Features per row.")
    var features: Int

    @Option(parsing: .unconditional, help: "Number of classes (at least 2).")
    var classes: Int

    @Option(name: [.short, .customLong("output")], help: "Output HDF5 file (replaced atomically if it exists).")
    var output: String

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Test rows (default: a tenth of --rows, at most 100,000).", valueName: "test-rows"))
    var testRows: Int?

    @Option(parsing: .unconditional, help: "Random seed.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Rows generated and written per chunk.")
    var chunkRows = 1024

    @Option(help: "Feature type: float32 (standard normal), or uint8 0–255 (128 + 32 × the value, clamped).")
    var dtype: SyntheticDataset.FeatureType = .float32

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Compress the features with deflate at this level, 1–9 (default: uncompressed).", valueName: "level"))
    var gzip: Int?

    func validate() throws {
        if let gzip, !(1...9).contains(gzip) {
            throw ValidationError("invalid --gzip '\(gzip)': expected a deflate level from 1 to 9")
        }
        for (flag, value) in [("rows", rows), ("features", features), ("chunk-rows", chunkRows)] where value <= 0 {
            throw ValidationError("invalid --\(flag) '\(value)': expected a positive number")
        }
        if classes < 2 { throw ValidationError("invalid --classes '\(classes)': expected a number of classes of at least 2") }
        if let testRows, testRows <= 0 {
            throw ValidationError("invalid --test-rows '\(testRows)': expected a positive number")
        }
        if output.isEmpty { throw ValidationError("--output must name a file") }
    }

    func run() throws {
        try reportingErrors {
            let dataset = SyntheticDataset(rows: rows, features: features, classes: classes, seed: seed,
                                           featureType: dtype, gzipLevel: gzip)
            let test = testRows ?? SyntheticDataset.defaultTestRows(forTrainRows: rows)
            try dataset.write(to: output, testRows: test, chunkRows: chunkRows)
            note("spindle: wrote \(rows) training and \(test) test rows of \(features) \(dtype.rawValue) features" +
                 (gzip.map { " (gzip level \($0))" } ?? "") + ", " +
                 "\(classes) classes, to \(output)")
        }
    }
}
