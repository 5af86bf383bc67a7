import ArgumentParser
import Foundation
import Spindle

/// `spindle train`: fit a network, report test metrics, save the model.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network on an HDF5 dataset.",
        discussion: "Prints one line per epoch and the test metrics on stderr/stdout; --json prints one summary line.")

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var image: ImageOptions
    @OptionGroup var optimizer: OptimizerOptions
    @OptionGroup var workerOptions: WorkerOptions

    @Option(parsing: .unconditional, help: "Rows per minibatch.")
    var batchSize = 128

    @Flag(help: ArgumentHelp(
        "Skip each epoch's last batch when it has fewer than --batch-size rows, as PyTorch's DataLoader(drop_last=True) (default: off, the partial batch is trained on).",
        discussion: "An epoch is then rows / --batch-size steps, rounded down; the rows at the end of the epoch's shuffled order that fill no whole batch are left out of that epoch."))
    var dropLast = false

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
        "Standardise each feature with the training set's mean and standard deviation (each channel, over all its pixels, for images).",
        discussion: "The statistics are computed once, before training, and saved with the model, which applies them in eval, predict and export."))
    var standardize = false

    @Option(help: ArgumentHelp(
        "Weight each training row's loss by its class: 'balanced' (n_rows / (C · n_c), as scikit-learn) or one weight per class, e.g. 1,4.5 (default: none, every row weighs 1).",
        discussion: "The batch loss is the weighted mean Σ w[y]·loss / Σ w[y], as PyTorch's CrossEntropyLoss(weight=); the epoch's training loss is too, validation and test losses are not weighted. Needs --loss cross-entropy.",
        valueName: "weights"))
    var classWeights: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Stop when --monitor has not improved for this many epochs; model.h5 holds the best epoch's weights (default: off, train every epoch).",
        discussion: "Needs validation data: a /val split in the file or --val-fraction. The best epoch is restored whether the run stops early or not.",
        valueName: "patience"))
    var earlyStopping: Int?

    @Option(help: "What --early-stopping watches: val_loss (lower is better) or val_accuracy (default: val_loss).")
    var monitor: EarlyStoppingConfig.Monitor?

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
        if monitor != nil && earlyStopping == nil {
            throw ValidationError("--monitor needs --early-stopping PATIENCE: the epochs without improvement to stop after")
        }
        try dataOptions.validateFraction()
        try workerOptions.validateWorkers()
        try optimizer.validateBetas()
        try validating { try config().validate() }
    }

    /// The run's config; `shards` falls back to `defaultShards` (the checkpoint's, when resuming).
    func config(defaultShards: Int = World.coresPerRank) throws -> TrainingConfig {
        TrainingConfig(model: try model.layerList(), initialization: model.initialization, loss: model.loss,
                       optimizer: optimizer.optimizerConfig, schedule: optimizer.scheduleConfig,
                       batchSize: batchSize, dropLast: dropLast, epochs: epochs, maxSteps: maxSteps,
                       clipNorm: optimizer.clipNorm, seed: seed,
                       shards: shards ?? defaultShards, standardize: standardize,
                       classWeights: try classWeights.map { try ClassWeights(parsing: $0) },
                       earlyStopping: earlyStopping.map { EarlyStoppingConfig(patience: $0, monitor: monitor ?? .valLoss) },
                       inputShape: image.inputShape, channelsLast: image.channelsLast)
    }

    /// Parse → configure → run → render: the library's `TrainingRun` does the work; this
    /// command turns flags into its setup and its events into output.
    func run() throws {
        try reportingErrors {
            // Under mpirun, every rank runs this same code on its share of each batch (World).
            let world = try World.join()
            let primary = world.isPrimary
            let resumePoint = try TrainResume.find(resume: resume, directory: checkpointDir, file: resumeFrom)
            let workers = workerOptions.resolved()
            let setup = TrainingRun.Setup(
                config: try config(defaultShards: resumePoint?.config?.shards ?? World.coresPerRank),
                data: try dataOptions.source(), workers: workers,
                checkpoints: checkpointDir.map { CheckpointPolicy(directory: $0, every: checkpointEvery, keep: keep) },
                resume: resumePoint, communicator: world)
            let run = try TrainingRun(setup)
            for warning in run.data.warnings { note("spindle: warning: \(warning)") }
            if let resumePoint { TrainResume.announce(resumePoint) }
            // Rank 0 alone writes; the log only now, with the data and config known good.
            if primary, let log { run.add(try RunLog(path: log)) }
            let silent = quiet || json || !primary
            let progress = TrainProgress(quiet: silent, trainer: run.trainer, hasAccuracy: run.data.train.hasLabels)
            run.add(TrainRenderer(report: TrainReport(quiet: silent), progress: progress,
                                  workers: workers, ranks: world.size))
            let signals = SignalWatcher.install()
            run.listen { event, run in
                if case .step = event, signals.received != nil { run.requestStop(.interrupt) }
            }
            let outcome: RunOutcome
            do {
                defer { progress.clear() }
                outcome = try run.run()
            }
            if outcome.interrupted {
                let signal = signals.received ?? SIGTERM  // another rank's
                World.finish()
                let step = outcome.result.state.step
                let resumeCommand = (world.size > 1 ? "mpirun -np \(world.size) " : "") +
                    TrainResume.command(arguments: CommandLine.arguments)
                note("spindle: interrupted at step \(step)" +
                     (primary ? run.checkpointPath(step: step).map { "; checkpoint written to \($0)" } ?? "" : "") +
                     (checkpointDir != nil ? ". Resume with:\n  \(resumeCommand)" : " (no --checkpoint-dir: nothing was saved)"))
                throw ExitCode(128 + signal)
            }
            if json && primary {
                print(TrainReport.summaryJSON(result: outcome.result, test: outcome.test, workers: workers,
                                              modelPath: outcome.modelPath, timings: outcome.timings,
                                              ranks: outcome.weightDigests, earlyStopping: run.earlyStopping,
                                              warnings: outcome.warnings))
            }
            World.finish()
        }
    }
}
