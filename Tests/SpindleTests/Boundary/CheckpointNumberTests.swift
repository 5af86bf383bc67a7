import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

/// Every number a run continues from is checked: `ModelFile.read` refuses a file whose
/// attributes are out of range, naming the attribute, and `Trainer.run` refuses a state it cannot
/// continue from. Before these checks a `batchInEpoch` ≥ the batches of an epoch made `run` loop
/// forever.
@Suite struct CheckpointNumberTests {
    /// 20 rows in batches of 8: 3 batches an epoch.
    static let config = TrainingConfig(hiddenSizes: [4], batchSize: 8, epochs: 2, seed: 1, shards: 2)
    static let split = labelledSplit("mem:/train")

    static func trainer() throws -> Trainer {
        try Trainer(config: config, train: split, outputs: 3, workers: 1)
    }

    /// A checkpoint after 4 steps (epoch 1, batch 1), written by the library into `directory`.
    static func checkpoint(in directory: TemporaryDirectory) throws -> (path: String, state: TrainingState) {
        let trainer = try trainer()
        let result = try trainer.run { $0.step == 4 ? .stop : .proceed }
        let path = directory.path("ckpt.h5")
        try ModelFile(network: trainer.network, config: config, moments: trainer.engine.moments.map { $0.array() },
                      steps: result.state.step, epochs: result.state.history.count, state: result.state,
                      trainRows: split.rows).write(to: path)
        return (path, result.state)
    }

    /// The checkpoint with `change` made to its attributes.
    static func tampered(_ change: (H5File, inout TrainingState) throws -> Void) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        var (path, state) = try checkpoint(in: directory)
        let file = try H5File.open(path, mode: .readWrite)
        try change(file, &state)
        try file.setAttribute("training_state", String(decoding: try JSONEncoder().encode(state), as: UTF8.self))
        try file.close()
        return (directory, path)
    }

    @Test func theUntouchedCheckpointReadsBack() throws {
        let directory = try TemporaryDirectory()
        let (path, state) = try Self.checkpoint(in: directory)
        #expect(state.epoch == 1 && state.batchInEpoch == 1 && state.step == 4)
        #expect(try ModelFile.read(from: path).state == state)
    }

    @Test(arguments: [
        ("format_version 0", "format_version 0 is not a version Spindle writes; expected 1 to 2"),
        ("steps -1", "its steps attribute is -1; expected a count >= 0"),
        ("epochs -2", "its epochs attribute is -2; expected a count >= 0"),
        ("train_rows 0", "its train_rows attribute is 0; expected a positive number of rows"),
        ("batchInEpoch 3", "its training_state batchInEpoch 3 is out of range: an epoch has 3 batches, so expected 0..<3"),
        ("step 5", "its training_state step 5 differs from its steps attribute 4"),
        ("epoch 2", "its training_state step 4 is out of range: epoch 2, batch 1 (3 batches an epoch) is step 7"),
        ("epochRows -8", "its training_state epochRows -8 is negative; expected a count >= 0"),
        ("epochRows 9", "its training_state epochRows 9 is out of range; expected at most 8 (batchInEpoch 1 × batch size 8)"),
        ("epochLossSum -1", "its training_state epochLossSum -1.0 is out of range; expected a finite number >= 0"),
        ("lr 0", "its config attribute is not usable: invalid --lr '0.0': expected a finite number > 0"),
    ])
    func anOutOfRangeNumberIsRefused(_ change: String, _ problem: String) throws {
        let (directory, path) = try Self.tampered { file, state in
            switch change {
            case "format_version 0": try file.setAttribute("format_version", 0)
            case "steps -1": try file.setAttribute("steps", -1)
            case "epochs -2": try file.setAttribute("epochs", -2)
            case "train_rows 0": try file.setAttribute("train_rows", 0)
            case "batchInEpoch 3": state.batchInEpoch = 3
            case "step 5": state.step = 5
            case "epoch 2": state.epoch = 2
            case "epochRows -8": state.epochRows = -8
            case "epochRows 9": state.epochRows = 9
            case "epochLossSum -1": state.epochLossSum = -1
            case "lr 0":
                var config = Self.config
                config.optimizer.learningRate = 0
                try file.setAttribute("config", String(decoding: try JSONEncoder().encode(config), as: UTF8.self))
            default: Issue.record("no such change: \(change)")
            }
        }
        withExtendedLifetime(directory) {
            expectRefusal("\(path): \(problem)") { _ = try ModelFile.read(from: path) }
        }
    }

    /// The state a Swift caller hands to `run` is checked the same way, against the trainer's
    /// own epochs; a batch index past an epoch's end used to make the loop spin forever.
    @Test(.timeLimit(.minutes(1)))
    func runRefusesAStateItCannotContinueFrom() throws {
        var past = TrainingState()
        past.epoch = 1
        past.step = 6
        past.batchInEpoch = 3
        expectRefusal("training state: batchInEpoch 3 is out of range: an epoch has 3 batches, so expected 0..<3") {
            _ = try Self.trainer().run(from: past)
        }
        var negative = TrainingState()
        negative.step = -1
        expectRefusal("training state: step -1 is negative; expected a count >= 0") {
            _ = try Self.trainer().run(from: negative)
        }
        var elsewhere = TrainingState()
        elsewhere.step = 2
        expectRefusal("training state: step 2 is out of range: epoch 0, batch 0 (3 batches an epoch) is step 0") {
            _ = try Self.trainer().run(from: elsewhere)
        }
    }
}
