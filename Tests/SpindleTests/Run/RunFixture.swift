import Foundation
import Spindle

/// A scratch directory holding a small synthetic dataset file (train and test splits, float32,
/// chunks of 64 rows), removed when the value goes away; and the settings the run tests share.
///
/// Sizes the placement tests rely on: train 3,000 rows × 16 features = 204,000 bytes whole
/// (features 64 B + label 4 B a row); test 600 rows = 40,800 bytes; a streamed row takes 76 B in a
/// window (features, label, its place in the order); both splits stream in blocks of 64 rows.
final class RunFixture {
    let directory: String
    let path: String

    init(rows: Int = 3000, testRows: Int = 600) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/data.h5"
        try SyntheticDataset(rows: rows, features: 16, classes: 3, seed: 7)
            .write(to: path, testRows: testRows, chunkRows: 64)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// 60 steps an epoch (3,000 rows in batches of 50), two epochs.
    static let config = TrainingConfig(hiddenSizes: [8], optimizer: OptimizerConfig(kind: .adam, learningRate: 1e-2),
                                       batchSize: 50, epochs: 2, seed: 1, shards: 2)

    func source(budget: Int? = nil) -> DataSource {
        var source = DataSource(path: path)
        if let budget { source.memoryBudget = MemoryBudget(bytes: budget) }
        return source
    }

    func setup(config: TrainingConfig = RunFixture.config, budget: Int? = nil, checkpoints: String? = nil,
               every: Int = 0, keep: Int = 3) -> TrainingRun.Setup {
        TrainingRun.Setup(config: config, data: source(budget: budget), workers: 2,
                          checkpoints: checkpoints.map { CheckpointPolicy(directory: directory + "/" + $0, every: every,
                                                                          keep: keep) })
    }

    /// Checkpoint files of `name` (a directory in the fixture), oldest first.
    func checkpoints(in name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + name)) ?? [])
            .filter { $0.hasPrefix("ckpt-") }.sorted()
    }
}

/// Records a run's events as short strings: "started", "step 3", "epoch 1", "checkpoint 60",
/// "warning vanishing-gradients", "trainingEnded", "finished".
final class EventRecorder: TrainingRunListener {
    var events: [String] = []

    func handle(_ event: RunEvent, in run: TrainingRun) {
        switch event {
        case .started: events.append("started")
        case let .step(state): events.append("step \(state.step)")
        case let .epoch(report, _): events.append("epoch \(report.epoch)")
        case let .warning(warning): events.append("warning \(warning.kind.rawValue)")
        case let .checkpoint(step, _): events.append("checkpoint \(step)")
        case .trainingEnded: events.append("trainingEnded")
        case .finished: events.append("finished")
        }
    }
}
