import Foundation
import SpindleTestSupport
import Testing

/// DESIGN.md contract 1 through the binary: same data, config and seed give bit-identical model
/// files whatever the worker count, run after run.
@Suite struct DeterminismTests {
    @Test func workerCountDoesNotChangeTheBits() throws {
        let scratch = try TemporaryDirectory()
        // 230 rows in batches of 50: four full batches and a partial one of 30, so the pieces of
        // work land on different workers from one step to the next, and on one worker with 1.
        try SyntheticData(trainRows: 230, testRows: 40, features: 12, classes: 4, seed: 5)
            .write(to: scratch.path("data.h5"))
        // The work is cut into 4 fixed shards whatever the worker count; 1, 2 and 3 workers
        // share them differently (3 workers: one takes two shards).
        let options = ["--layers", "24,16", "--dropout", "0.2", "--batch-size", "50", "--epochs", "3",
                       "--seed", "11", "--lr", "0.01", "--shards", "4", "--json"]

        var models: [String: [String: [UInt32]]] = [:]
        var losses: [String: [Double?]] = [:]
        for (run, workers) in [("a1", 1), ("a3", 3), ("b1", 1), ("b3", 3), ("c2", 2)] {
            let result = try spindleSucceeds(["train", "data.h5", "--workers", String(workers),
                                              "--checkpoint-dir", run] + options, in: scratch)
            let summary = try jsonObject(result.stdoutLines.last ?? "")
            #expect(summary["workers"] as? Int == workers)
            losses[run] = ["train_loss", "test_loss", "train_accuracy"].map { summary[$0] as? Double }
            models[run] = try floatDatasets(in: scratch.path("\(run)/model.h5"))
        }

        let reference = try #require(models["a1"])
        // Weights and biases of the three dense layers (dense(24),relu,dropout(0.2),dense(16),relu,
        // dropout(0.2), then the output layer), and Adam's two moments.
        #expect(reference.keys.sorted() == ["/model/00_dense/bias", "/model/00_dense/weight",
                                            "/model/03_dense/bias", "/model/03_dense/weight",
                                            "/model/06_dense/bias", "/model/06_dense/weight",
                                            "/optimizer/moment_1", "/optimizer/moment_2"])
        for run in ["a3", "b1", "b3", "c2"] {
            let model = try #require(models[run])
            #expect(model.keys.sorted() == reference.keys.sorted())
            for (path, bits) in reference.sorted(by: { $0.key < $1.key }) {
                let other = model[path] ?? []
                let differing = zip(bits, other).filter { $0 != $1 }.count
                #expect(other == bits, "\(run) \(path): \(differing) of \(bits.count) values differ from a1")
            }
            #expect(losses[run] == losses["a1"], "losses of \(run) vs a1")
        }
        #expect(losses["a1"]?.allSatisfy { $0 != nil } == true)
    }

    /// A different seed gives a different model: the comparison above is not vacuous.
    @Test func seedChangesTheBits() throws {
        let scratch = try TemporaryDirectory()
        try SyntheticData().write(to: scratch.path("data.h5"))
        let first = try trainModel(on: "data.h5", in: scratch, directory: "s0", quickTraining + ["--seed", "0"])
        let second = try trainModel(on: "data.h5", in: scratch, directory: "s1", quickTraining + ["--seed", "1"])
        let a = try floatDatasets(in: scratch.path(first)), b = try floatDatasets(in: scratch.path(second))
        #expect(a["/model/00_dense/weight"] != nil)
        #expect(a["/model/00_dense/weight"] != b["/model/00_dense/weight"])
    }
}
