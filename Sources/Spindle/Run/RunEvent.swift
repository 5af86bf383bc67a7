/// What happens in a training run, in the order listeners hear it:
///
///     started
///     step, [epoch, [warning]], [checkpoint]
///                                      after every step (epoch: when the step ended one;
///                                      warning: the first time an epoch showed a problem)
///     ...
///     [checkpoint]                     the end's checkpoint, unless the last step wrote one
///     trainingEnded                    training is over (not after an interrupt)
///     finished                         after the test evaluation and the model file
///
/// Every event comes on the thread that called `TrainingRun.run()`, between two steps.
public enum RunEvent: Sendable {
    /// The run is about to take its first step (or its first after the resume point).
    case started
    /// A step ended; the state is what a checkpoint taken now would hold.
    case step(TrainingState)
    /// An epoch ended (its validation pass included); `timings` are its steps'.
    case epoch(EpochReport, timings: StepTimings)
    /// Something the user should know about the training, told once a run (vanishing gradients,
    /// `VanishingGradients`), right after the epoch that showed it.
    case warning(RunWarning)
    /// A checkpoint of step `step` was handed to the writer thread: on disk, renamed into place,
    /// before the next checkpoint is taken or the run ends.
    case checkpoint(step: Int, path: String)
    /// Training is over and the end's checkpoint written; the test split is not evaluated yet.
    /// A listener may change the weights here (e.g. restore the best ones it kept): the test
    /// report and the model file hold what is in the network after every listener has run.
    case trainingEnded(TrainingResult)
    /// The run is done.
    case finished(RunOutcome)
}

/// Something that follows a run: a progress line, a log, early stopping. A listener may stop the
/// run (`TrainingRun.requestStop`) and read or change its network (`TrainingRun.trainer`)
/// between steps.
public protocol TrainingRunListener: AnyObject {
    /// - Throws: to end the run with that error (it reaches `TrainingRun.run()`'s caller).
    func handle(_ event: RunEvent, in run: TrainingRun) throws
}

/// A listener made of a closure.
public final class RunEventHandler: TrainingRunListener {
    private let body: (RunEvent, TrainingRun) throws -> Void

    public init(_ body: @escaping (RunEvent, TrainingRun) throws -> Void) { self.body = body }

    public func handle(_ event: RunEvent, in run: TrainingRun) throws { try body(event, run) }
}

/// Why a run stopped before its schedule's end.
public enum StopRequest: Sendable {
    /// Stop after this step, write a checkpoint and end without the test evaluation or the
    /// model file (Ctrl-C: the run is to be resumed).
    case interrupt
    /// End training after this step as though the schedule ended there: the checkpoint, the
    /// test evaluation and the model file follow (early stopping).
    case finish
}

/// What a run ended with.
public struct RunOutcome: Sendable {
    public var result: TrainingResult
    /// Why training ended early; nil when it ran its whole schedule.
    public var stop: StopRequest?
    /// The test split's report (rank 0 only), nil without a test split or after an interrupt.
    public var test: EvaluationReport?
    /// The model file written (rank 0, with checkpoints), nil otherwise.
    public var modelPath: String?
    /// Where the steps' time went, over the whole run.
    public var timings: StepTimings
    /// Each rank's digest of its final weights (FNV-1a), in rank order; empty after an interrupt.
    public var weightDigests: [UInt64]
    /// The warnings told during the run, in order.
    public var warnings: [RunWarning] = []

    /// Whether the run was interrupted and should be resumed.
    public var interrupted: Bool { stop == .interrupt }
}
