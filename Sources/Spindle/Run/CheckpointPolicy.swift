/// When a run writes checkpoints, and where: DIR/ckpt-<step>.h5 at every epoch end, every
/// `every` steps (0: epoch ends only), when the run stops on a request and at its end; never
/// twice for one step, never of non-finite weights; the newest `keep` are kept. The trained
/// model goes to DIR/model.h5.
public struct CheckpointPolicy: Sendable, Equatable {
    public var directory: String
    /// Steps between periodic checkpoints; 0 for epoch ends only.
    public var every: Int
    /// Checkpoints kept in `directory`; older ones are deleted.
    public var keep: Int

    /// - Precondition: `every >= 0`, `keep >= 1` (a caller's flags are checked before this).
    public init(directory: String, every: Int = 0, keep: Int = 3) {
        precondition(every >= 0, "CheckpointPolicy: every is a number of steps >= 0")
        precondition(keep >= 1, "CheckpointPolicy: keep at least one checkpoint")
        (self.directory, self.every, self.keep) = (directory, every, keep)
    }

    /// The trained model's path.
    public var modelPath: String { directory + "/model.h5" }

    /// Whether the step that led to `state` ends with a checkpoint.
    public func isDue(after state: TrainingState) -> Bool {
        state.batchInEpoch == 0 || (every > 0 && state.step % every == 0)
    }
}

/// A run's checkpoints as it goes: the writer, and the last step saved.
struct CheckpointSchedule {
    let policy: CheckpointPolicy
    let writer: CheckpointWriter
    var lastSaved: Int

    /// Writes a checkpoint of `snapshot()` for `state` unless one of that step exists.
    /// - Returns: the path, when one was queued.
    /// - Throws: `SpindleError.diverged` for non-finite weights; an earlier write's failure.
    mutating func save(_ state: TrainingState, weightsFinite: Bool, snapshot: () -> ModelFile) throws -> String? {
        guard state.step != lastSaved else { return nil }
        // Never replace good checkpoints with weights an update made non-finite.
        guard weightsFinite else { throw SpindleError.diverged(step: state.step, loss: .nan) }
        try writer.submit(snapshot(), step: state.step)
        lastSaved = state.step
        return writer.path(step: state.step)
    }
}
