import Synchronization

/// A whole training run, as `spindle train` does it: the data placed under the memory budget,
/// the trainer, the resume point checked and restored, checkpoints by a policy, the ranks'
/// agreement, the test evaluation and the model file, with events for listeners along the way.
///
/// ```swift
/// var setup = TrainingRun.Setup(config: config, data: DataSource(path: "data.h5"))
/// setup.checkpoints = CheckpointPolicy(directory: "run", every: 100)
/// let run = try TrainingRun(setup)
/// run.listen { event, _ in if case .epoch(let report, _) = event { print(report.trainLoss) } }
/// let outcome = try run.run()
/// ```
public final class TrainingRun {
    /// What a run trains, on what, and how.
    public struct Setup: Sendable {
        /// The run's settings; `stream` is decided by the data's placement (or the resume point).
        public var config: TrainingConfig
        public var data: DataSource
        /// Worker threads; any count gives the same bits.
        public var workers: Int
        /// Where and when to write checkpoints and the model; nil writes nothing.
        public var checkpoints: CheckpointPolicy?
        /// The checkpoint to continue from (`ResumePoint.newest(in:)`, `.file(_:)`); nil: a fresh run.
        public var resume: ResumePoint?
        /// The processes sharing each step; rank 0 alone writes checkpoints and the model.
        public var communicator: any Communicator

        public init(config: TrainingConfig, data: DataSource, workers: Int = WorkerPool.activeProcessorCount,
                    checkpoints: CheckpointPolicy? = nil, resume: ResumePoint? = nil,
                    communicator: any Communicator = SingleProcess()) {
            self.config = config
            self.data = data
            self.workers = workers
            self.checkpoints = checkpoints
            self.resume = resume
            self.communicator = communicator
        }
    }

    public let setup: Setup
    /// The config trained with: the setup's, with the placement's stream layout and the image
    /// shape the data gave.
    public let config: TrainingConfig
    public let data: RunData
    public let trainer: Trainer
    /// Where training starts: the resume point's state, or a fresh one.
    public let start: TrainingState
    /// Early stopping, when the config asks for it: the first listener, so that every other
    /// hears `.trainingEnded` with the best weights back in the network.
    public let earlyStopping: EarlyStopping?
    private var listeners: [any TrainingRunListener] = []
    /// The stop requested so far (0: none, 1: finish, 2: interrupt); any thread may raise it.
    private let requested = Atomic<Int>(0)
    private var ran = false

    /// Places the data, builds the trainer, checks and restores the resume point, checks that
    /// the ranks agree, and creates the checkpoint directory — everything that can fail before
    /// the first step, so that a run never fails at its end for a reason known at its start.
    /// - Throws: `SpindleError` (data, config, checkpoint, unwritable directory),
    ///   `TrainingRunError` (validation hold-out, a checkpoint of other settings),
    ///   `DistributedError.ranksDisagree`.
    public init(_ setup: Setup) throws {
        self.setup = setup
        let saved = setup.resume
        data = try RunData(setup.data, seed: setup.config.seed, batchSize: setup.config.batchSize,
                           resumedStream: saved.map { $0.config?.stream })
        var config = setup.config
        config.stream = data.stream
        if let settings = config.earlyStopping {
            guard data.validation != nil else { throw TrainingRunError.earlyStoppingNeedsValidation(path: data.path) }
            if settings.monitor == .valAccuracy, !data.train.hasLabels {
                throw TrainingRunError.monitorNeedsLabels(path: data.path)
            }
            let stopping = EarlyStopping(settings, state: saved?.checkpoint.earlyStopping ?? EarlyStopping.State())
            earlyStopping = stopping
            listeners.append(stopping)
        } else {
            earlyStopping = nil
        }
        trainer = try Trainer(config: config, data: data.train, validation: data.validation, outputs: data.outputs,
                              workers: setup.workers, scaling: saved?.checkpoint.network.featureScaling,
                              statistics: data.trainRows, communicator: setup.communicator)
        // The trainer's config has balanced class weights counted (the same numbers from the
        // same data): what checkpoints record, and what a resumed run is compared by.
        config = trainer.config
        self.config = config
        if let test = data.test { try RowsShape(test).checkImages(trainer.network.spec) }
        if let saved {
            try saved.check(config, trainRows: data.train.rows)
            try trainer.restore(from: saved.checkpoint, path: saved.path)
        }
        start = saved?.state ?? TrainingState()
        try checkRanksAtStart()
        if setup.communicator.isPrimary, let policy = setup.checkpoints {
            try CheckpointDirectory.prepare(policy.directory)
        }
    }

    /// Adds a listener; listeners hear each event in the order they were added.
    public func add(_ listener: any TrainingRunListener) { listeners.append(listener) }

    /// Adds a closure as a listener.
    public func listen(_ body: @escaping (RunEvent, TrainingRun) throws -> Void) { add(RunEventHandler(body)) }

    /// Asks the run to stop after the step in progress (from any thread; a listener, or a signal
    /// handler). An interrupt wins over a finish. Among ranks, all stop after the same step.
    public func requestStop(_ request: StopRequest) {
        _ = requested.max(request == .interrupt ? 2 : 1, ordering: .relaxed)
    }

    /// The stop requested on this rank so far.
    var localStop: StopRequest? {
        switch requested.load(ordering: .relaxed) {
        case 2: return .interrupt
        case 1: return .finish
        default: return nil
        }
    }

    /// Steps per epoch and in the whole run (after a resume, counted from step 0).
    public var stepsPerEpoch: Int { trainer.stepsPerEpoch }
    public var totalSteps: Int { trainer.totalSteps }

    /// The path of the checkpoint of step `step`, nil without checkpoints.
    public func checkpointPath(step: Int) -> String? {
        setup.checkpoints.map { $0.directory + "/" + CheckpointWriter.fileName(step: step) }
    }

    /// Trains from `start` to the end of the schedule (or a stop request), writing checkpoints
    /// by the policy; then, unless interrupted, checks the ranks' weights, evaluates the test
    /// split and writes the model file. Call once. (The run takes over `trainer.onEpoch`; listen
    /// for `.epoch` instead.)
    /// - Throws: `SpindleError.diverged`, a failed checkpoint write, what a listener throws,
    ///   `DistributedError.weightsDiverged`.
    public func run() throws -> RunOutcome {
        precondition(!ran, "TrainingRun: run() called twice")
        ran = true
        try emit(.started)
        let primary = setup.communicator.isPrimary
        var schedule = setup.checkpoints.flatMap { policy in
            primary ? CheckpointSchedule(policy: policy, writer: CheckpointWriter(directory: policy.directory,
                                                                                   keep: policy.keep),
                                         lastSaved: start.step) : nil
        }
        var timings = StepTimings()
        var endedEpoch: EpochReport?
        var stop: StopRequest?
        var warnings: [RunWarning] = []
        trainer.onEpoch = { endedEpoch = $0 }
        let result: TrainingResult
        do {
            // A resumed run that early stopping had ended takes no more steps.
            result = earlyStopping?.state.stopped == true ? try trainer.result(at: start) : try trainer.run(from: start) { state in
                try self.emit(.step(state))
                if let report = endedEpoch {
                    endedEpoch = nil
                    let epochTimings = self.trainer.engine.timings
                    timings = timings + epochTimings
                    self.trainer.engine.timings = StepTimings()
                    try self.emit(.epoch(report, timings: epochTimings))
                    if warnings.isEmpty, let layers = report.layers,
                       let warning = VanishingGradients.warning(layers, epoch: report.epoch) {
                        warnings.append(warning)
                        try self.emit(.warning(warning))
                    }
                }
                if schedule?.policy.isDue(after: state) == true { try self.checkpoint(state, &schedule) }
                stop = self.agreedStop()
                return stop == nil ? .proceed : .stop
            }
            try checkpoint(result.state, &schedule)
            try schedule?.writer.finish()
        } catch {
            try? schedule?.writer.finish()  // let a write in flight complete (or clean up) first
            throw error
        }
        timings = timings + trainer.engine.timings
        if earlyStopping?.state.stopped == true, stop == nil { stop = .finish }
        var outcome = RunOutcome(result: result, stop: stop, test: nil, modelPath: nil, timings: timings,
                                 weightDigests: [], warnings: warnings)
        guard stop != .interrupt else {
            try emit(.finished(outcome))
            return outcome
        }
        try emit(.trainingEnded(result))
        outcome.weightDigests = try checkRanksAtEnd()
        if primary {
            outcome.test = try data.test.map { try trainer.evaluate(rows: $0) }
            if let policy = setup.checkpoints {
                try snapshot(result.state).write(to: policy.modelPath)
                outcome.modelPath = policy.modelPath
            }
        }
        try emit(.finished(outcome))
        return outcome
    }

    private func checkpoint(_ state: TrainingState, _ schedule: inout CheckpointSchedule?) throws {
        guard schedule != nil,
              let path = try schedule!.save(state, weightsFinite: trainer.network.isFinite,
                                            snapshot: { snapshot(state) }) else { return }
        try emit(.checkpoint(step: state.step, path: path))
    }

    /// A copy of the trainer's state at `state`, made on the training thread, for a file
    /// written while training goes on.
    func snapshot(_ state: TrainingState) -> ModelFile {
        ModelFile(network: trainer.network.copy(), config: config, moments: trainer.engine.moments.map { $0.array() },
                  steps: state.step, epochs: state.history.count, state: state, trainRows: data.train.rows,
                  tableSchema: data.tableSchema, classNames: data.classNames, earlyStopping: earlyStopping?.state)
    }

    private func emit(_ event: RunEvent) throws {
        for listener in listeners { try listener.handle(event, in: self) }
    }
}
