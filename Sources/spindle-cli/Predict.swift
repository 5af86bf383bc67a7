import ArgumentParser
import Foundation
import HDF5Kit
import Spindle

/// `spindle predict`: a trained model's outputs for every row of a features dataset or a raw CSV.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model's predictions for a dataset or a CSV table to an HDF5 or CSV file.",
        discussion: """
            An HDF5 output holds /probabilities [N, C] (float32 softmax outputs) and /labels [N]
            (int64 argmax) for a classifier, with the attribute class_names when the classes have
            names, or /outputs [N, T] for a regression model. A CSV output (-o out.csv) holds one
            row per input row: the predicted class and each class's probability, or the
            regression outputs, under a header. A CSV input needs a model trained on a dataset
            that `spindle import csv` made: its rows are encoded with the stored schema, columns
            matched by header name; the label column may be absent.
            """)

    @Argument(help: "Model file written by `spindle train --checkpoint-dir`.")
    var checkpoint: String

    @Argument(help: "Dataset file holding the features (HDF5), or a CSV table (.csv, .tsv, .txt, .csv.gz) with the training table's columns.")
    var data: String

    @Option(help: "Features dataset to predict for (HDF5 input).")
    var x = "/test/x"

    @Option(name: [.short, .customLong("output")], help: "Output file: CSV when it ends in .csv, else HDF5 (replaced atomically if it exists).")
    var output: String

    @OptionGroup var workerOptions: WorkerOptions

    func validate() throws { try workerOptions.validateWorkers() }

    func run() throws {
        try reportingErrors {
            let model = try ModelFile.read(from: checkpoint)
            let csvInput = ModelInput.isCSV(data)
            let rows: any SequentialRows = csvInput
                ? try ModelInput.csv(data, model: model, modelPath: checkpoint, requireTargets: false)
                : try ModelCompatibility.open(data, .init(x: x, y: nil), requireTargets: false)
            try model.network.validatePrediction(of: rows)
            try Self.checkWritable(output)
            let spec = model.network.spec
            let evaluator = Evaluator(network: model.network, workers: workerOptions.resolved(),
                                      shards: model.config?.shards ?? WorkerPool.activeProcessorCount)
            let classifier = spec.loss == .crossEntropy
            let names = classifier ? ModelInput.classNames(model, data: data, classes: spec.outputCount) : nil
            let source = csvInput ? data : "\(data):\(x)"
            if output.lowercased().hasSuffix(".csv") {
                let header = classifier ? PredictionCSV.classifierHeader(names: names, classes: spec.outputCount)
                    : PredictionCSV.regressionHeader(schema: model.tableSchema, outputs: spec.outputCount)
                try PredictionCSV.write(to: output, header: header, classNames: classifier ? names ?? (0..<spec.outputCount).map(String.init) : nil,
                                        outputs: spec.outputCount) { body in try evaluator.predict(rows: rows, body) }
            } else {
                try writeHDF5(rows: rows, evaluator: evaluator, classifier: classifier, names: names, source: source)
            }
            note("spindle: wrote predictions for \(rows.rows.grouped) rows to \(output)")
        }
    }

    /// Fails before computing anything if the output cannot be written.
    static func checkWritable(_ output: String) throws {
        let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SpindleError.cannotWrite(path: output, reason: "directory '\(directory)' does not exist")
        }
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SpindleError.cannotWrite(path: output, reason: "it is a directory; expected a file name")
        }
    }

    /// /probabilities and /labels, or /outputs, written a chunk at a time as they are computed:
    /// predictions never need the whole dataset in memory.
    private func writeHDF5(rows: any SequentialRows, evaluator: Evaluator, classifier: Bool, names: [String]?,
                           source: String) throws {
        let n = rows.rows, c = evaluator.network.spec.outputCount
        try AtomicFile.writeHDF5(to: output, reserving: n * (4 * c + 8)) { file in
            try file.setAttribute("model", checkpoint)
            try file.setAttribute("source", source)
            if let names { try file.setAttribute("class_names", names) }
            let chunk = DatasetWriter.chunkRows(rowBytes: 4 * c, rows: n)
            let outputs = try file.createDataset(classifier ? "probabilities" : "outputs", type: .float32,
                                                 shape: [n, c], chunkShape: [chunk, c])
            let labels = classifier
                ? try file.createDataset("labels", type: .int64, shape: [n], chunkShape: [min(n, 1 << 16)]) : nil
            var row = 0
            try evaluator.predict(rows: rows) { values in
                let count = values.count / c
                try outputs.write(rows: row..<(row + count), from: values)
                if let labels {
                    let best = (0..<count).map { Int64(PredictionCSV.argmax(values, row: $0, width: c)) }
                    try best.withUnsafeBufferPointer { try labels.write(rows: row..<(row + count), from: $0) }
                }
                row += count
            }
        }
    }
}
