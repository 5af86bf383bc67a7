import ArgumentParser
import Foundation
import Spindle

/// `spindle eval`: a trained model's loss and accuracy (or regression error) on a dataset.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained model on a dataset's test split.")

    @Argument(help: "Model file written by `spindle train --checkpoint-dir`.")
    var checkpoint: String

    @Argument(help: "Dataset file. Default: the bundled data/fashion-mnist-small.h5.")
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
            let split = try DatasetReader.load(try DatasetReader.openFile(path), .init(x: x, y: y))
            try ModelCompatibility.check(model.network.spec, split)
            let report = Evaluator(network: model.network, workers: workerOptions.resolved(),
                                   shards: model.config?.shards ?? WorkerPool.activeProcessorCount).evaluate(split)
            if json {
                var object = (report.jsonObject as? [String: Any]) ?? [:]
                object["model"] = checkpoint
                object["data"] = path
                print(jsonLine(object))
                return
            }
            print("model \(checkpoint) (\(model.network.spec.architecture)) on \(split.name): \(report.rows.grouped) rows")
            print("loss \(report.loss.fixed(4))")
            if let accuracy = report.accuracy, let counts = report.classCounts,
               let perClass = report.perClassAccuracy {
                print("accuracy \(accuracy.fixed(4))")
                print("class      rows  accuracy")
                for (c, count) in counts.enumerated() {
                    let acc = perClass[c].map { $0.fixed(4) } ?? "—"
                    print("\(String(c).leftPad(5))  \(count.grouped.leftPad(8))  \(acc.leftPad(8))")
                }
            }
            if let mse = report.meanSquaredError, let mae = report.meanAbsoluteError {
                print("mse \(mse.fixed(6))  mae \(mae.fixed(6))")
            }
        }
    }
}

/// Checks that a dataset fits a trained model before running it.
enum ModelCompatibility {
    static func check(_ spec: ModelSpec, _ split: DatasetSplit) throws {
        guard split.featureCount == spec.inputCount else {
            throw SpindleError.invalidData(
                location: split.name + "/x",
                problem: "has \(split.featureCount) features, but the model expects \(spec.inputCount)")
        }
        if let width = split.targetWidth, width != spec.outputCount {
            throw SpindleError.invalidData(
                location: split.name + "/y",
                problem: "has \(width) targets per row, but the model has \(spec.outputCount) outputs")
        }
        if split.labelBound != nil {
            try DatasetReader.checkLabels(split, classes: spec.outputCount)
        }
    }
}
