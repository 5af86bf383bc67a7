import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// The commands a script strings together: train → model file → eval, predict, inspect.
@Suite struct HappyPathTests {
    @Test func trainJSONCheckpointEvalPredictInspect() throws {
        let scratch = try TemporaryDirectory()
        let data = SyntheticData(trainRows: 300, testRows: 60, features: 8, classes: 4)
        try data.write(to: scratch.path("data.h5"))

        // train --json: exactly one line on stdout, a JSON object with the documented keys.
        let train = try spindleSucceeds(["train", "data.h5", "--json", "--layers", "32", "--epochs", "4",
                                         "--lr", "0.01", "--batch-size", "32", "--checkpoint-dir", "run"], in: scratch)
        #expect(train.stdoutLines.count == 1, "one line on stdout:\n\(train.transcript)")
        let summary = try jsonObject(train.stdoutLines.first ?? "")
        for key in ["test_loss", "test_accuracy", "training_seconds", "samples_per_second"] {
            #expect(summary[key] is Double || summary[key] is Int, "key \(key) in \(summary)")
        }
        let testLoss = try #require(summary["test_loss"] as? Double)
        let testAccuracy = try #require(summary["test_accuracy"] as? Double)
        #expect(testLoss.isFinite && testLoss > 0)
        // Four well-separated clusters: a model that read the data right learns them.
        #expect(testAccuracy > 0.9, "\(summary)")
        #expect((summary["training_seconds"] as? Double ?? 0) > 0)
        #expect((summary["samples_per_second"] as? Double ?? 0) > 0)
        // Files are written atomically: no temporary file is left beside the model and the
        // checkpoints (ckpt-<step>.h5).
        let written = try FileManager.default.contentsOfDirectory(atPath: scratch.path("run")).sorted()
        #expect(written.last == "model.h5" && written.dropLast().allSatisfy { $0.hasPrefix("ckpt-") && $0.hasSuffix(".h5") },
                "\(written)")

        // eval --json on the saved model gives the numbers train reported for the same split.
        let eval = try spindleSucceeds(["eval", "run/model.h5", "data.h5", "--json"], in: scratch)
        #expect(eval.stdoutLines.count == 1, "\(eval.transcript)")
        let evaluation = try jsonObject(eval.stdoutLines.first ?? "")
        #expect(evaluation["loss"] as? Double == testLoss, "eval \(evaluation) vs train \(summary)")
        #expect(evaluation["accuracy"] as? Double == testAccuracy)
        #expect(evaluation["rows"] as? Int == 60)

        // The human-readable eval names the accuracy and has one row per class.
        let table = try spindleSucceeds(["eval", "run/model.h5", "data.h5"], in: scratch)
        #expect(table.stdout.contains("accuracy \(String(format: "%.4f", testAccuracy))"), "\(table.transcript)")

        // predict -o: /probabilities (N, C) rows summing to 1, /labels their argmax.
        try spindleSucceeds(["predict", "run/model.h5", "data.h5", "-o", "predictions.h5"], in: scratch)
        let file = try H5File.open(scratch.path("predictions.h5"))
        let probabilitiesSet = try file.openDataset("probabilities")
        let labelsSet = try file.openDataset("labels")
        #expect(probabilitiesSet.shape == [60, 4])
        #expect(probabilitiesSet.elementType == .float32)
        #expect(labelsSet.shape == [60])
        #expect(labelsSet.elementType == .int64)
        let probabilities: [Float] = try probabilitiesSet.readAll()
        let labels: [Int64] = try labelsSet.readAll()
        var correct = 0
        for r in 0..<60 {
            let row = probabilities[(r * 4)..<(r * 4 + 4)]
            #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 })
            #expect(abs(row.reduce(0, +) - 1) <= 1e-5, "row \(r) sums to \(row.reduce(0, +))")
            #expect(row[row.startIndex + Int(labels[r])] == row.max(), "label of row \(r) is the argmax")
            if labels[r] == data.testY[r] { correct += 1 }
        }
        #expect(Double(correct) / 60 == testAccuracy, "predicted labels give the reported accuracy")

        // inspect describes the model file and the dataset file.
        let model = try spindleSucceeds(["inspect", "run/model.h5"], in: scratch)
        #expect(model.stdout.contains("Spindle model 8-32-4"), "\(model.transcript)")
        #expect(model.stdout.contains("/model/00_dense/weight"))
        #expect(model.stdout.contains("/model/02_dense/weight"))
        #expect(model.stdout.contains("/optimizer/moment_2"))
        let dataset = try spindleSucceeds(["inspect", "data.h5"], in: scratch)
        #expect(dataset.stdout.contains("/train/x") && dataset.stdout.contains("[300, 8]"), "\(dataset.transcript)")
    }

    /// --json keeps stdout machine-readable: progress goes to stderr or nowhere.
    @Test func jsonLineIsAloneOnStdout() throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData().write(to: scratch.path("data.h5"))
        let train = try spindleSucceeds(["train", "data.h5", "--json"] + quickTraining, in: scratch)
        #expect(train.stdoutLines.count == 1)
        _ = try jsonObject(train.stdout.trimmingCharacters(in: .newlines))
        #expect(train.stdout.hasSuffix("}\n"), "one complete line:\n\(train.transcript)")
    }

    /// With no file, train uses the bundled Fashion-MNIST sample (found beside the binary, not
    /// in the working directory) and ends with a "test accuracy" line.
    @Test func trainsOnTheBundledData() throws {
        let scratch = try TemporaryDirectory()
        let train = try spindleSucceeds(["train", "--epochs", "1", "--max-steps", "30", "--layers", "64"], in: scratch)
        let line = try #require(train.stdoutLines.first { $0.hasPrefix("test accuracy ") }, "\(train.transcript)")
        let accuracy = Double(line.split(separator: " ")[2]) ?? 0
        // 30 Adam steps on Fashion-MNIST: well above the 0.1 of chance.
        #expect(accuracy > 0.5, "\(line)")
        #expect(train.stderr.contains("fashion-mnist-small.h5"), "names the data it trains on:\n\(train.transcript)")
        #expect(train.stderr.contains("10,000 train rows, 2,000 test"))
    }
}
