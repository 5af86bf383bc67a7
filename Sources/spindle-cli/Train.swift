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

    @Flag(help: ArgumentHelp(
        "Standardise each feature with the training set's mean and standard deviation.",
        discussion: "The statistics are computed once, before training, and saved with the model, which applies them in eval, predict and export."))
    var standardize = false

    @Option(help: ArgumentHelp(
        "Directory for checkpoints and the trained model (model.h5); created if missing (default: nothing is saved).",
        discussion: "Checkpoints (ckpt-<step>.h5) are written at every epoch end, every --checkpoint-every steps, on Ctrl-C and at the end."))
    var checkpointDir: String?

    @Option(parsing: .unconditional, help: "Also write a checkpoint every N steps (default: 0, only at epoch ends).")
    var checkpointEvery = 0

    @Option(parsing: .unconditional, help: "Checkpoints to keep in --checkpoint-dir; older ones are deleted.")
    var keep = 3

    @Flag(help: ArgumentHelp(
        "Continue from the newest checkpoint in --checkpoint-dir that verifies.",
        discussion: "Only --epochs, --max-steps and --workers may differ from the run that wrote it."))
    var resume = false

    @Option(help: "Continue from this checkpoint file (default: none).")
    var resumeFrom: String?

    @Option(help: "Write one JSON line per epoch to this file (default: no log).")
    var log: String?

    @Flag(help: "Print one JSON summary line on stdout instead of the human-readable report.")
    var json = false

    @Flag(help: "Print nothing but errors (and the --json line).")
    var quiet = false

    @Option(name: .customLong("config"), help: ArgumentHelp(
        "Read train's options from this JSON file: {\"layers\": \"512,256\", \"lr\": 0.001, \"nesterov\": true, ...}.",
        discussion: "Keys are the flag names without dashes; flags on the command line override the file (default: none)."))
    var configFile: String?  // read by ConfigFile.expand before parsing

    func validate() throws {
        if checkpointEvery < 0 {
            throw ValidationError("invalid --checkpoint-every '\(checkpointEvery)': expected a number of steps >= 0")
        }
        if keep < 1 { throw ValidationError("invalid --keep '\(keep)': expected at least 1 checkpoint") }
        if resume && checkpointDir == nil {
            throw ValidationError("--resume needs --checkpoint-dir: the directory whose newest checkpoint to continue")
        }
        if resume && resumeFrom != nil { throw ValidationError("--resume and --resume-from exclude each other") }
        try dataOptions.validateFraction()
        try workerOptions.validateWorkers()
        try optimizer.validateBetas()
        try validating { try config().validate() }
    }

    /// The run's config; `shards` falls back to `defaultShards` (the checkpoint's, when resuming).
    func config(defaultShards: Int = World.coresPerRank,
                stream: TrainingConfig.StreamLayout? = nil) throws -> TrainingConfig {
        TrainingConfig(model: try model.layerList(), initialization: model.initialization, loss: model.loss,
                       optimizer: optimizer.optimizerConfig, schedule: optimizer.scheduleConfig,
                       batchSize: batchSize, epochs: epochs, maxSteps: maxSteps,
                       clipNorm: optimizer.clipNorm, seed: seed,
                       shards: shards ?? defaultShards, standardize: standardize, stream: stream)
    }

    func run() throws {
        try reportingErrors {
            // Under mpirun, every rank runs this same code on its share of each batch (World).
            let world = try World.join()
            let primary = world.isPrimary
            let resumePoint = try ResumePoint.find(resume: resume, directory: checkpointDir, file: resumeFrom)
            let saved = resumePoint?.checkpoint
            let data = try LoadedData(dataOptions, seed: seed, batchSize: batchSize,
                                      resumedStream: saved.map { $0.config?.stream })
            let config = try config(defaultShards: saved?.config?.shards ?? World.coresPerRank, stream: data.stream)
            let workers = workerOptions.resolved()
            let trainer = try Trainer(config: config, data: data.train, validation: data.validation,
                                      outputs: data.outputs, workers: workers,
                                      scaling: saved?.network.featureScaling, statistics: data.trainRows,
                                      communicator: world)
            let start = try resumePoint?.restore(into: trainer, trainRows: data.train.rows) ?? TrainingState()
            try TrainRanks.checkStart(trainer: trainer, config: config, data: data, state: start, communicator: world)
            // Only now, with the data and config known good, create what the run writes; still
            // before training, so a run never ends in an unwritable path. Rank 0 alone writes.
            let modelPath = primary ? try checkpointDir.map(CheckpointDirectory.prepare) : nil
            let writer = primary ? checkpointDir.map { CheckpointWriter(directory: $0, keep: keep) } : nil
            let logFile = primary ? try log.map(LogFile.init) : nil
            let report = TrainReport(quiet: quiet || json || !primary)
            let progress = TrainProgress(quiet: quiet || json || !primary, trainer: trainer, hasAccuracy: data.train.hasLabels)
            report.start(config: config, data: data, trainer: trainer, workers: workers, ranks: world.size)
            logFile?.writeStart(config: config, workers: workers, data: data.path, resumedAtStep: start.step,
                                ranks: world.size)
            var runTimings = StepTimings()
            trainer.onEpoch = { epoch in
                progress.clear()
                report.epoch(epoch, of: config.epochs)
                logFile?.writeEpoch(epoch, timings: trainer.engine.timings)
                runTimings = runTimings + trainer.engine.timings
                trainer.engine.timings = StepTimings()
            }
            let signals = SignalWatcher.install()
            var checkpoints = CheckpointPolicy(writer: writer, every: checkpointEvery, lastSaved: start.step,
                                               trainer: trainer, config: config, trainRows: data.train.rows)
            let result: TrainingResult
            do {
                defer { progress.clear() }
                result = try trainer.run(from: start) { state in
                    progress.step(state)
                    try checkpoints.afterStep(state)
                    return TrainRanks.stopRequested(signals.received != nil, communicator: world) ? .stop : .proceed
                }
                try checkpoints.save(result.state)
                try writer?.finish()
            } catch {
                try? writer?.finish()  // let a write in flight complete (or clean up) before exiting
                throw error
            }
            if result.interrupted {
                let signal = signals.received ?? SIGTERM  // another rank's
                World.finish()
                let resumeCommand = (world.size > 1 ? "mpirun -np \(world.size) " : "") +
                    ResumePoint.command(arguments: CommandLine.arguments)
                note("spindle: interrupted at step \(result.state.step)" +
                     (writer.map { "; checkpoint written to \($0.path(step: result.state.step))" } ?? "") +
                     (checkpointDir != nil ? ". Resume with:\n  \(resumeCommand)" : " (no --checkpoint-dir: nothing was saved)"))
                throw ExitCode(128 + signal)
            }
            let digests = try TrainRanks.checkEnd(network: trainer.network, communicator: world)
            let test = primary ? try data.test.map { try trainer.evaluate(rows: $0) } : nil
            if let modelPath {
                try Snapshot.of(trainer, config: config, state: result.state, trainRows: data.train.rows)
                    .write(to: modelPath)
            }
            report.finish(result: result, test: test, modelPath: modelPath)
            if json && primary {
                print(TrainReport.summaryJSON(result: result, test: test, workers: workers, modelPath: modelPath,
                                              timings: runTimings + trainer.engine.timings, ranks: digests))
            }
            World.finish()
        }
    }
}
