import Foundation

/// Writes checkpoints on a background thread so that training does not wait for the disk, and
/// keeps the newest K of them.
///
/// A checkpoint is copied in memory on the training thread (`ModelFile` holding copies of the
/// parameters and moments) and handed over; at most one write is in flight, so memory stays at
/// one extra copy of the model state: a new checkpoint waits for the previous write to finish.
/// Files are DIR/ckpt-<step, 9 digits>.h5, written atomically (`ModelFile.write`).
public final class CheckpointWriter: @unchecked Sendable {
    public let directory: String
    public let keep: Int
    private let queue = DispatchQueue(label: "spindle.checkpoint-writer")
    private let inFlight = DispatchSemaphore(value: 1)
    private let lock = NSLock()
    private var failure: Error?
    private var written: [String] = []

    /// - Parameter keep: how many periodic checkpoints to keep (the oldest are deleted).
    public init(directory: String, keep: Int) {
        precondition(keep >= 1, "CheckpointWriter: keep at least one checkpoint")
        self.directory = directory
        self.keep = keep
    }

    /// The path of the checkpoint of step `step`.
    public func path(step: Int) -> String {
        directory + "/" + Self.fileName(step: step)
    }

    static func fileName(step: Int) -> String {
        let digits = String(step)
        return "ckpt-" + String(repeating: "0", count: max(0, 9 - digits.count)) + digits + ".h5"
    }

    /// Queues `checkpoint` to be written as the checkpoint of its step.
    /// - Throws: the error of an earlier write that failed (the run should stop: its state is no
    ///   longer being saved).
    public func submit(_ checkpoint: ModelFile, step: Int) throws {
        try throwIfFailed()
        inFlight.wait()
        let path = path(step: step)
        queue.async {
            defer { self.inFlight.signal() }
            do {
                try checkpoint.write(to: path)
                try self.prune(adding: path)
            } catch {
                self.lock.withLock { if self.failure == nil { self.failure = error } }
            }
        }
    }

    /// Waits for the write in flight, then reports any failure.
    public func finish() throws {
        queue.sync {}
        try throwIfFailed()
    }

    private func throwIfFailed() throws {
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    /// Deletes the oldest periodic checkpoints beyond `keep`, counting those already in the
    /// directory (from this run or the one it resumes).
    private func prune(adding path: String) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let checkpoints = names.filter { Self.step(ofFileName: $0) != nil }.sorted()
        for name in checkpoints.dropLast(keep) {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// The step of a checkpoint file name, nil for other files.
    static func step(ofFileName name: String) -> Int? {
        guard name.hasPrefix("ckpt-"), name.hasSuffix(".h5") else { return nil }
        return Int(name.dropFirst(5).dropLast(3))
    }
}
