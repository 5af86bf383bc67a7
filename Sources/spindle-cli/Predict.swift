import ArgumentParser
import Foundation
import HDF5Kit
import Spindle

/// `spindle predict`: a trained model's outputs for every row of a features dataset.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model's predictions for a dataset to an HDF5 file.",
        discussion: """
            The output file holds /probabilities [N, C] (float32 softmax outputs) and /labels [N]
            (int64 argmax) for a classifier, or /outputs [N, T] for a regression model.
            """)

    @Argument(help: "Model file written by `spindle train --checkpoint-dir`.")
    var checkpoint: String

    @Argument(help: "Dataset file holding the features.")
    var data: String

    @Option(help: "Features dataset to predict for.")
    var x = "/test/x"

    @Option(name: [.short, .customLong("output")], help: "Output HDF5 file (replaced atomically if it exists).")
    var output: String

    @OptionGroup var workerOptions: WorkerOptions

    func validate() throws { try workerOptions.validateWorkers() }

    func run() throws {
        try reportingErrors {
            let model = try ModelFile.read(from: checkpoint)
            let split = try ModelCompatibility.open(data, .init(x: x, y: nil), requireTargets: false)
            try model.network.validatePrediction(of: split)
            // Fail before computing anything if the output cannot be written.
            let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw SpindleError.cannotWrite(path: output, reason: "directory '\(directory)' does not exist")
            }
            if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue {
                throw SpindleError.cannotWrite(path: output, reason: "it is a directory; expected a file name")
            }
            let spec = model.network.spec
            let evaluator = Evaluator(network: model.network, workers: workerOptions.resolved(),
                                      shards: model.config?.shards ?? WorkerPool.activeProcessorCount)
            let n = split.rows, c = spec.outputCount
            // Written a chunk at a time as they are computed: predictions never need the whole
            // dataset in memory.
            try AtomicFile.writeHDF5(to: output, reserving: n * (4 * c + 8)) { file in
                try file.setAttribute("model", checkpoint)
                try file.setAttribute("source", "\(data):\(x)")
                let chunk = DatasetWriter.chunkRows(rowBytes: 4 * c, rows: n)
                let classifier = spec.loss == .crossEntropy
                let outputs = try file.createDataset(classifier ? "probabilities" : "outputs", type: .float32,
                                                     shape: [n, c], chunkShape: [chunk, c])
                let labels = classifier
                    ? try file.createDataset("labels", type: .int64, shape: [n], chunkShape: [min(n, 1 << 16)]) : nil
                var row = 0
                try evaluator.predict(rows: split) { values in
                    let rows = values.count / c
                    try outputs.write(rows: row..<(row + rows), from: values)
                    if let labels {
                        let best: [Int64] = (0..<rows).map { r in
                            var best = 0
                            for j in 1..<c where values[r * c + j] > values[r * c + best] { best = j }
                            return Int64(best)
                        }
                        try best.withUnsafeBufferPointer { try labels.write(rows: row..<(row + rows), from: $0) }
                    }
                    row += rows
                }
            }
            note("spindle: wrote predictions for \(n.grouped) rows to \(output)")
        }
    }
}
