import ArgumentParser
import Foundation
import HDF5Kit
import Spindle

/// `spindle eval`: a trained model's loss and accuracy, per-class scores and confusion matrix
/// (or regression errors and R²) on a dataset.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained model on a dataset's test split, or on a labelled CSV table.",
        discussion: "A CSV table (.csv, .tsv, .txt, .csv.gz) needs a model trained on a dataset that `spindle import csv` "
            + "made, and the label column: its rows are encoded with the stored schema.")

    @Argument(help: "Model file written by `spindle train --checkpoint-dir`.")
    var checkpoint: String

    @Argument(help: "Dataset file (HDF5), or a CSV table with the training table's columns and its label column. Default: the bundled data/fashion-mnist-small.h5.")
    var data: String?

    @Option(help: "Features dataset to evaluate.")
    var x = "/test/x"

    @Option(help: "Targets dataset to evaluate.")
    var y = "/test/y"

    @OptionGroup var workerOptions: WorkerOptions

    @Flag(help: "Print one JSON line instead of the table.")
    var json = false

    func validate() throws { try workerOptions.validateWorkers() }

    func run() throws {
        try reportingErrors {
            let model = try ModelFile.read(from: checkpoint)
            let path = try data ?? BundledData.path()
            let split: any SequentialRows = ModelInput.isCSV(path)
                ? try ModelInput.csv(path, model: model, modelPath: checkpoint, requireTargets: true)
                : try ModelCompatibility.open(path, .init(x: x, y: y))
            try model.network.validateEvaluation(of: split)
            let report = try Evaluator(network: model.network, workers: workerOptions.resolved(),
                                       shards: model.config?.shards ?? WorkerPool.activeProcessorCount)
                .evaluate(rows: split)
            let names = report.confusion.flatMap { ModelInput.classNames(model, data: path, classes: $0.classes) }
            if json {
                var object = (report.jsonObject as? [String: Any]) ?? [:]
                object["model"] = checkpoint
                object["data"] = path
                if let confusion = report.confusion {
                    // JSON null where a score is undefined (a class never predicted, or absent).
                    func scores(_ values: [Double?]) -> [Any] { values.map { $0.map { $0 as Any } ?? NSNull() } }
                    object["precision"] = scores(confusion.precision)
                    object["recall"] = scores(confusion.recall)
                    object["f1"] = scores(confusion.f1)
                    if let names { object["class_names"] = names }
                }
                print(jsonLine(object))
                return
            }
            print("model \(checkpoint) (\(model.network.spec.architecture)) on \(split.name): \(report.rows.grouped) rows")
            print("loss \(report.loss.fixed(4))")
            if let accuracy = report.accuracy, let confusion = report.confusion {
                print("accuracy \(accuracy.fixed(4))")
                Self.printClassTable(confusion, names: names)
            }
            if let binary = report.binary { print(TrainReport.binaryLine(binary, classNames: names, split: "")) }
            if let mse = report.meanSquaredError, let mae = report.meanAbsoluteError {
                print("mse \(mse.fixed(6))  mae \(mae.fixed(6))  r2 \(report.rSquared.map { $0.fixed(4) } ?? "— (constant targets)")")
            }
        }
    }

    /// The root attribute `class_names` of the dataset file, when it holds one name per class;
    /// otherwise nil, with a warning if it is there but unusable.
    static func classNames(_ file: H5File, path: String, classes: Int) -> [String]? {
        guard file.hasAttribute("class_names") else { return nil }
        guard let names = try? file.stringArrayAttribute("class_names"), names.count == classes else {
            note("spindle: warning: \(path): ignoring attribute class_names: expected \(classes) strings, one per class")
            return nil
        }
        return names
    }

    /// Per-class rows, precision, recall (= accuracy within the class) and F1, then the confusion
    /// matrix with true classes down and predicted classes across.
    static func printClassTable(_ confusion: ConfusionMatrix, names: [String]?) {
        func score(_ value: Double?) -> String { (value.map { $0.fixed(4) } ?? "—").leftPad(9) }
        let counts = confusion.counts
        let (precision, recall, f1) = (confusion.precision, confusion.recall, confusion.f1)
        print("class      rows  precision     recall         f1" + (names == nil ? "" : "  name"))
        for c in 0..<confusion.classes {
            let rows = counts[c].reduce(0, +).grouped.leftPad(8)
            let name = names.map { "  " + $0[c] } ?? ""
            print("\(String(c).leftPad(5))  \(rows)  \(score(precision[c]))  \(score(recall[c]))  \(score(f1[c]))\(name)")
        }
        let width = max(5, counts.joined().map { $0.grouped.count }.max() ?? 0) + 1
        print("confusion (rows: true class, columns: predicted class)")
        print("true\\pred" + (0..<confusion.classes).map { String($0).leftPad(width) }.joined())
        for (c, row) in counts.enumerated() {
            print(String(c).leftPad(9) + row.map { $0.grouped.leftPad(width) }.joined() + (names.map { "  " + $0[c] } ?? ""))
        }
    }
}

/// Opens the data a trained model runs on; the library's `Network.validateEvaluation(of:)` and
/// `validatePrediction(of:)` then check that it fits the model, before anything is computed.
enum ModelCompatibility {
    /// The split whole in memory when it fits the default memory budget, else read from the
    /// file a window at a time.
    static func open(_ path: String, _ paths: DatasetReader.SplitPaths,
                     requireTargets: Bool = true) throws -> any SequentialRows {
        try StreamedSplit.open(path, paths, requireTargets: requireTargets).rows(within: MemoryBudget.default.bytes)
    }
}
