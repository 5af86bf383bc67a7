import ArgumentParser
import Foundation
import Spindle

/// `spindle train`: fit a network, report test metrics, save the model.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a dense network on an HDF5 dataset.",
        discussion: "Prints one line per epoch and the test metrics on stderr/stdout; --json prints one summary line.")

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var optimizer: OptimizerOptions
    @OptionGroup var workerOptions: WorkerOptions

    @Option(parsing: .unconditional, help: "Rows per minibatch.")
    var batchSize = 128

    @Option(parsing: .unconditional, help: "Passes over the training data.")
    var epochs = 10

    @Option(parsing: .unconditional, help: "Stop after this many steps in total, even mid-epoch (default: no limit).")
    var maxSteps: Int?

    @Option(parsing: .unconditional, help: "Seed for initialisation, shuffling and dropout.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Fixed pieces each step is cut into (default: the number of cores).",
        discussion: "Results depend on --shards and never on --workers; workers beyond it idle."))
    var shards: Int?

    @Option(help: "Directory to write the trained model to, as model.h5; created if missing (default: the model is not saved).")
    var checkpointDir: String?

    @Option(help: "Write one JSON line per epoch to this file (default: no log).")
    var log: String?

    @Flag(help: "Print one JSON summary line on stdout instead of the human-readable report.")
    var json = false

    @Flag(help: "Print nothing but errors (and the --json line).")
    var quiet = false

    func validate() throws {
        try dataOptions.validateFraction()
        try workerOptions.validateWorkers()
        try optimizer.validateBetas()
        try validating { try config().validate() }
    }

    func config() throws -> TrainingConfig {
        TrainingConfig(hiddenSizes: try model.hiddenSizes(), activation: model.activation, loss: model.loss,
                       optimizer: optimizer.optimizerConfig, schedule: optimizer.scheduleConfig,
                       batchSize: batchSize, epochs: epochs, maxSteps: maxSteps, dropout: model.dropout,
                       clipNorm: optimizer.clipNorm, seed: seed,
                       shards: shards ?? WorkerPool.activeProcessorCount)
    }

    func run() throws {
        try reportingErrors {
            let config = try config()
            let data = try LoadedData(dataOptions, seed: seed)
            let workers = workerOptions.resolved()
            let trainer = try Trainer(config: config, train: data.train, validation: data.validation,
                                      outputs: data.outputs, workers: workers)
            // Only now, with the data and config known good, create what the run writes; still
            // before training, so a run never ends in an unwritable path.
            let modelPath = try checkpointDir.map(CheckpointDirectory.prepare)
            let logFile = try log.map(LogFile.init)
            let report = TrainReport(quiet: quiet || json)
            report.start(config: config, data: data, trainer: trainer, workers: workers)
            logFile?.write(["event": "start", "config": config.jsonObject, "workers": workers,
                            "data": data.path, "spindle_version": BuildInfo.version])
            trainer.onEpoch = { epoch in
                report.epoch(epoch, of: config.epochs)
                logFile?.write((epoch.jsonObject as? [String: Any] ?? [:]).merging(["event": "epoch"]) { $1 })
            }
            let result = try trainer.run()
            let test = data.test.map(trainer.evaluate)
            if let modelPath {
                try ModelFile(network: trainer.network, config: config,
                              moments: trainer.engine.moments.map { $0.array() },
                              steps: result.steps, epochs: result.epochs.count).write(to: modelPath)
            }
            report.finish(result: result, test: test, modelPath: modelPath)
            if json {
                print(TrainReport.summaryJSON(result: result, test: test, workers: workers, modelPath: modelPath))
            }
        }
    }
}

/// Where `--checkpoint-dir` puts the model, checked before training starts so a run never ends in
/// an unwritable path.
enum CheckpointDirectory {
    static func prepare(_ directory: String) throws -> String {
        // Walk the path as mkdir -p does, to name the component that is in the way.
        var path = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            path += "/" + component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw SpindleError.cannotWrite(
                        path: directory, reason: "'\(path)' is a file, not a directory; cannot create the checkpoint directory")
                }
            } else if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw SpindleError.cannotWrite(
                    path: directory, reason: "cannot create '\(path)': \(String(cString: strerror(errno)))")
            }
        }
        guard access(directory, W_OK) == 0 else {
            throw SpindleError.cannotWrite(path: directory, reason: "the checkpoint directory is not writable")
        }
        return directory + "/model.h5"
    }
}
