import Foundation
import Spindle

/// The human-readable report of a training run: a header, one line per epoch, the test metrics.
/// Progress goes to stderr so that stdout carries only results (the test line, or --json).
struct TrainReport {
    let quiet: Bool

    func start(config: TrainingConfig, data: RunData, trainer: Trainer, workers: Int, ranks: Int = 1) {
        guard !quiet else { return }
        let spec = trainer.network.spec
        var rows = "\(data.train.rows.grouped) train rows"
        if let v = data.validation { rows += ", \(v.rows.grouped) validation" }
        if let t = data.test { rows += ", \(t.rows.grouped) test" }
        note("spindle: training \(spec.architecture) (\(trainer.network.layout.parameterCount.grouped) parameters, " +
             "\(spec.loss.rawValue)) on \(data.path): \(rows)")
        for line in spec.summaryLines { note("         \(line)") }
        // With --drop-last, what an epoch leaves out: the rows that fill no whole batch.
        let dropped = config.dropLast ? data.train.rows - trainer.stepsPerEpoch * config.batchSize : 0
        note("         \(config.optimizer.kind.rawValue) lr \(config.optimizer.learningRate), batch \(config.batchSize), " +
             (config.dropLast ? "\(trainer.stepsPerEpoch) steps an epoch (--drop-last: \(dropped) rows left out), " : "") +
             "\(trainer.totalSteps) steps, \(ranks > 1 ? "\(ranks) ranks × " : "")" +
             "\(workers) worker\(workers == 1 ? "" : "s"), seed \(config.seed)")
        if let weights = config.classWeights?.values {
            note("         class weights " + weights.map { String(format: "%.4g", $0) }.joined(separator: ", ") +
                 " (the loss is their weighted mean)")
        }
        if let stopping = config.earlyStopping {
            note("         early stopping on \(stopping.monitor.rawValue), patience \(stopping.patience) epochs")
        }
        for line in data.notes { note("         \(line)") }
    }

    func epoch(_ e: EpochReport, of total: Int) {
        guard !quiet else { return }
        var line = "epoch \(String(e.epoch).leftPad(String(total).count))/\(total)  loss \(e.trainLoss.fixed(4))"
        if let acc = e.trainAccuracy { line += "  acc \(acc.fixed(4))" }
        if let v = e.validation {
            line += "  val_loss \(v.loss.fixed(4))"
            if let acc = v.accuracy { line += "  val_acc \(acc.fixed(4))" }
        }
        line += "  \(Int(e.samplesPerSecond).grouped) samples/s  \(e.seconds.fixed(1)) s"
        note(line)
    }

    func warning(_ warning: RunWarning) {
        guard !quiet else { return }
        note("spindle: warning: \(warning.message)")
    }

    func finish(result: TrainingResult, test: EvaluationReport?, modelPath: String?, earlyStopping: EarlyStopping? = nil,
                classNames: [String]? = nil) {
        guard !quiet else { return }
        note("trained \(result.samplesTrained.grouped) samples in \(result.trainingSeconds.fixed(1)) s " +
             "(\(Int(result.samplesPerSecond).grouped) samples/s)")
        if let line = earlyStopping?.summary(epochs: result.epochs.count) { note(line) }
        if let modelPath { note("saved model to \(modelPath)") }
        if let test {
            if let acc = test.accuracy {
                print("test accuracy \(acc.fixed(4))  loss \(test.loss.fixed(4))  (\(test.rows.grouped) rows)")
                if let binary = test.binary { print(Self.binaryLine(binary, classNames: classNames)) }
            } else {
                print("test mse \((test.meanSquaredError ?? 0).fixed(6))  mae \((test.meanAbsoluteError ?? 0).fixed(6))" +
                      "  (\(test.rows.grouped) rows)")
            }
        } else if let last = result.epochs.last {
            print("final training loss \(last.trainLoss.fixed(4)) (no test split in the file)")
        }
    }

    /// "test class 1 (>50K) as positive: roc_auc 0.9123  pr_auc …  precision …  recall …  f1 …"
    /// (a measure that is undefined on the split, e.g. precision of a class never predicted: —).
    static func binaryLine(_ binary: BinaryMetrics, classNames: [String]?, split: String = "test ") -> String {
        func show(_ value: Double?) -> String { value.map { $0.fixed(4) } ?? "—" }
        let positive = classNames.map { "class 1 (\($0[1]))" } ?? "class 1"
        return "\(split)\(positive) as positive: roc_auc \(show(binary.rocAUC))  pr_auc \(show(binary.prAUC))  "
            + "precision \(show(binary.precision))  recall \(show(binary.recall))  f1 \(show(binary.f1))"
    }

    /// One line of JSON with the run's results.
    /// - Parameter ranks: with several MPI ranks, each one's digest of its final weights.
    static func summaryJSON(result: TrainingResult, test: EvaluationReport?, workers: Int, modelPath: String?,
                            timings: StepTimings, ranks: [UInt64] = [0], earlyStopping: EarlyStopping? = nil,
                            warnings: [RunWarning] = []) -> String {
        var summary: [String: Any] = [
            "steps": result.steps,
            "epochs": result.epochs.count,
            "training_seconds": result.trainingSeconds,
            "samples_per_second": result.samplesPerSecond,
            "workers": workers,
        ]
        if let last = result.epochs.last {
            summary["train_loss"] = last.trainLoss
            summary["train_accuracy"] = last.trainAccuracy
            summary["val_loss"] = last.validation?.loss
            summary["val_accuracy"] = last.validation?.accuracy
            // The last epoch's gradient diagnostics, one object per layer with parameters.
            summary["layers"] = last.layers?.jsonObject
        }
        if let test {
            summary["test_loss"] = test.loss
            summary["test_accuracy"] = test.accuracy
            summary["test_mse"] = test.meanSquaredError
            summary["test_mae"] = test.meanAbsoluteError
            summary["test_r2"] = test.rSquared
            if let binary = test.binary {
                summary["test_roc_auc"] = binary.rocAUC
                summary["test_pr_auc"] = binary.prAUC
                summary["test_precision"] = binary.precision
                summary["test_recall"] = binary.recall
                summary["test_f1"] = binary.f1
            }
        }
        if let stopping = earlyStopping, let epoch = stopping.state.bestEpoch {
            // The model's epoch and its figures; "val_loss" above stays the last epoch's.
            summary["best_epoch"] = epoch
            summary["early_stopped"] = stopping.state.stopped
            summary["monitor"] = stopping.config.monitor.rawValue
            if let best = result.epochs.first(where: { $0.epoch == epoch }) {
                summary["best_val_loss"] = best.validation?.loss
                summary["best_val_accuracy"] = best.validation?.accuracy
            }
        }
        summary["model"] = modelPath
        if !warnings.isEmpty { summary["warnings"] = warnings.map(\.message) }
        // Where the steps' time went, and the share of it spent waiting for the data loader.
        summary["timings"] = timings.jsonObject
        summary["data_wait_fraction"] = timings.wall > 0 ? timings.dataWait / timings.wall : 0
        if ranks.count > 1 {
            summary["ranks"] = ranks.count
            summary["weight_digests"] = ranks.map(\.hex)
        }
        return jsonLine(summary)
    }
}

/// Serialises a JSON object on one line with sorted keys (nil values are left out).
func jsonLine(_ object: [String: Any]) -> String { JSONLine.text(object) }

extension Encodable {
    /// This value as a JSON object (for embedding in a log line).
    var jsonObject: Any { JSONLine.object(self) }
}

extension Double {
    func fixed(_ digits: Int) -> String { String(format: "%.\(digits)f", self) }
}

extension UInt64 {
    /// 16 hexadecimal digits.
    var hex: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension String {
    func leftPad(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
