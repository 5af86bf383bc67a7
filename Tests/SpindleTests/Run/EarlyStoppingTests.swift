import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

/// Early stopping as a listener: on a small regression that overfits, the saved model is the best
/// epoch's (its validation loss is that epoch's, its test error beats the last epoch's); its state
/// is in every checkpoint, so an interrupted and resumed run gives the bits of one straight
/// through; and it needs validation data.
@Suite struct EarlyStoppingTests {
    /// 150 training rows of 16 features, of which only the first three matter (y = x0 + x1/2 − x2/2
    /// plus noise of σ 0.7), with 200 validation and 400 test rows: a network of 2 × 128 units
    /// learns the signal in a few epochs and then memorises the noise (measured on such data: the
    /// validation loss is lowest near epoch 6 and settles about 9 % higher).
    final class Overfitting {
        let directory: TemporaryDirectory
        let path: String

        init() throws {
            directory = try TemporaryDirectory()
            path = directory.path("overfit.h5")
            var random = SplitMix64(seed: 36)
            let file = try H5File.create(path)
            for (name, rows) in [("train", 150), ("val", 200), ("test", 400)] {
                let f = 16
                let x = random.normals(rows * f)
                let noise = random.normals(rows)
                let y = (0..<rows).map { r in x[r * f] + (x[r * f + 1] - x[r * f + 2]) / 2 + 0.7 * noise[r] }
                try file.createDataset("\(name)/x", type: .float32, shape: [rows, f]).write(x)
                try file.createDataset("\(name)/y", type: .float32, shape: [rows]).write(y)
            }
            try file.close()
        }

        func setup(_ config: TrainingConfig, checkpoints: String? = nil, workers: Int = 2) -> TrainingRun.Setup {
            TrainingRun.Setup(config: config, data: DataSource(path: path), workers: workers,
                              checkpoints: checkpoints.map { CheckpointPolicy(directory: directory.path($0)) })
        }
    }

    /// 10 steps an epoch (batch 16), Adam at 1e-3.
    static func config(epochs: Int = 60, patience: Int? = nil) -> TrainingConfig {
        TrainingConfig(hiddenSizes: [128, 128], loss: .mse, optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-3),
                       batchSize: 16, epochs: epochs, seed: 5, shards: 2,
                       earlyStopping: patience.map { EarlyStoppingConfig(patience: $0) })
    }

    @Test func theSavedModelIsTheBestEpochsAndBeatsTheLastEpoch() throws {
        let data = try Overfitting()
        let full = try TrainingRun(data.setup(Self.config())).run()
        let lastTest = try #require(full.test?.meanSquaredError)

        let run = try TrainingRun(data.setup(Self.config(patience: 8), checkpoints: "run"))
        let outcome = try run.run()
        let state = try #require(run.earlyStopping?.state)
        let best = try #require(state.bestEpoch)
        let epochs = outcome.result.epochs
        #expect(outcome.stop == .finish && state.stopped, "patience ran out: \(epochs.map { $0.validation?.loss ?? 0 })")
        #expect(epochs.count == best + 8 && epochs.count < 60)
        let bestLoss = try #require(epochs[best - 1].validation?.loss)
        #expect(epochs.allSatisfy { ($0.validation?.loss ?? 0) >= bestLoss })
        #expect(epochs.last!.validation!.loss > bestLoss * 1.02, "the run overfits after its best epoch")

        // The model file holds the best epoch's weights: its validation loss is that epoch's, bit
        // for bit, and it predicts the test rows better than the last epoch's weights did.
        let model = try ModelFile.read(from: try #require(outcome.modelPath))
        #expect(model.earlyStopping?.restored == true && model.earlyStopping?.bestEpoch == best)
        let evaluator = Evaluator(network: model.network, workers: 1, shards: 2)
        let file = try H5File.open(data.path)
        let validation = try DatasetReader.load(file, .named("val"))
        #expect(try evaluator.evaluate(validation).loss == bestLoss)
        let test = try evaluator.evaluate(try DatasetReader.load(file, .named("test")))
        #expect(test.meanSquaredError == outcome.test?.meanSquaredError)
        let lastCheckpoint = try ModelFile.read(from: try #require(run.checkpointPath(step: outcome.result.steps)))
        let stoppedTest = try Evaluator(network: lastCheckpoint.network, workers: 1, shards: 2)
            .evaluate(try DatasetReader.load(file, .named("test"))).meanSquaredError!
        #expect(test.meanSquaredError! < stoppedTest && test.meanSquaredError! < lastTest,
                "best \(test.meanSquaredError!), stopped epoch \(stoppedTest), after 60 epochs \(lastTest)")
        // The full run went through the same epochs up to the stop.
        #expect(full.result.epochs[best - 1].validation?.loss == bestLoss)
    }

    /// Interrupted mid-epoch after a best epoch was kept, and resumed on another worker count:
    /// the same stop, the same best epoch and the same model bits as one run.
    @Test func anInterruptedRunResumesToTheSameBits() throws {
        let data = try Overfitting()
        let straight = try TrainingRun(data.setup(Self.config(patience: 5), checkpoints: "straight"))
        let whole = try straight.run()

        let first = try TrainingRun(data.setup(Self.config(patience: 5), checkpoints: "run"))
        first.listen { event, run in
            if case let .step(state) = event, state.step == 10 * 7 + 3 { run.requestStop(.interrupt) }
        }
        #expect(try first.run().interrupted)
        var setup = data.setup(Self.config(patience: 5), checkpoints: "run", workers: 1)
        setup.resume = try ResumePoint.newest(in: data.directory.path("run"))
        #expect(setup.resume?.checkpoint.earlyStopping?.bestParameters != nil, "the checkpoint keeps the best weights")
        let resumed = try TrainingRun(setup)
        let outcome = try resumed.run()
        #expect(outcome.result.steps == whole.result.steps && outcome.stop == .finish)
        #expect(resumed.earlyStopping?.state == straight.earlyStopping?.state)
        let a = try ModelFile.read(from: try #require(whole.modelPath))
        let b = try ModelFile.read(from: try #require(outcome.modelPath))
        #expect(a.network.parameters.array().map(\.bitPattern) == b.network.parameters.array().map(\.bitPattern))
        // The reports, less their timings.
        func losses(_ file: ModelFile) -> [[Double?]] {
            (file.state?.history ?? []).map { [$0.trainLoss, $0.validation?.loss, $0.validation?.rSquared] }
        }
        #expect(losses(a) == losses(b) && losses(a).count == whole.result.epochs.count)

        // Resuming the run that early stopping ended takes no more steps, even with more epochs.
        var again = data.setup(Self.config(epochs: 90, patience: 5), checkpoints: "straight")
        again.resume = try ResumePoint.newest(in: data.directory.path("straight"))
        let ended = try TrainingRun(again).run()
        #expect(ended.result.steps == whole.result.steps && ended.stop == .finish)
        #expect(try ModelFile.read(from: try #require(ended.modelPath)).network.parameters.array() == a.network.parameters.array())
        // A model file holds the restored weights, not those its state continues from.
        #expect(throws: SpindleError.self) { try ResumePoint.file(try #require(whole.modelPath)) }
    }

    @Test func itNeedsValidationDataAndLabelsForAccuracy() throws {
        let fixture = try RunFixture()
        var config = RunFixture.config
        config.earlyStopping = EarlyStoppingConfig(patience: 2)
        #expect(throws: TrainingRunError.earlyStoppingNeedsValidation(path: fixture.path)) {
            try TrainingRun(fixture.setup(config: config, checkpoints: "run"))
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/run"), "nothing left behind")
        #expect("\(TrainingRunError.earlyStoppingNeedsValidation(path: "d.h5"))" ==
                "--early-stopping needs validation data, but d.h5 has no /val split; hold out part of the training rows " +
                "with --val-fraction (e.g. 0.1)")

        let data = try Overfitting()
        var accuracy = Self.config(patience: 2)
        accuracy.earlyStopping?.monitor = .valAccuracy
        #expect(throws: TrainingRunError.monitorNeedsLabels(path: data.path)) { try TrainingRun(data.setup(accuracy)) }
    }

    /// val_accuracy improves upward; equal is no improvement; NaN never is.
    @Test func improvementIsStrictInTheMonitorsDirection() {
        #expect(EarlyStoppingConfig.Monitor.valLoss.improves(0.5, on: 0.6))
        #expect(!EarlyStoppingConfig.Monitor.valLoss.improves(0.6, on: 0.6))
        #expect(EarlyStoppingConfig.Monitor.valAccuracy.improves(0.9, on: 0.8))
        #expect(!EarlyStoppingConfig.Monitor.valAccuracy.improves(0.7, on: 0.8))
        #expect(!EarlyStoppingConfig.Monitor.valLoss.improves(.nan, on: nil))
        #expect(EarlyStoppingConfig.Monitor.valLoss.improves(3, on: nil))
    }
}
