import Foundation

/// Writes checkpoints on a background thread so that training does not wait for the disk, and
/// keeps the newest K of them.
///
/// A checkpoint is copied in memory on the training thread (`ModelFile` holding copies of the
/// parameters and moments) and handed to the writer's own thread; at most one write is in
/// flight, so memory stays at one extra copy of the model state: a new checkpoint waits for the
/// previous write to finish.
/// Files are DIR/ckpt-<step, 9 digits>.h5, written atomically (`ModelFile.write`).
public final class CheckpointWriter: @unchecked Sendable {
    public let directory: String
    public let keep: Int
    /// The one checkpoint waiting to be written or being written, guarded by `mailbox`.
    private var pending: (checkpoint: ModelFile, path: String)?
    private var busy = false
    private var failure: Error?
    private var closed = false
    private let mailbox = NSCondition()

    /// - Parameter keep: how many periodic checkpoints to keep (the oldest are deleted).
    public init(directory: String, keep: Int) {
        precondition(keep >= 1, "CheckpointWriter: keep at least one checkpoint")
        self.directory = directory
        self.keep = keep
        let thread = Thread { [self] in writeLoop() }
        thread.name = "spindle-checkpoint-writer"
        thread.start()
    }

    /// The path of the checkpoint of step `step`.
    public func path(step: Int) -> String {
        directory + "/" + Self.fileName(step: step)
    }

    static func fileName(step: Int) -> String {
        let digits = String(step)
        return "ckpt-" + String(repeating: "0", count: max(0, 9 - digits.count)) + digits + ".h5"
    }

    /// Queues `checkpoint` to be written as the checkpoint of its step, after the write in
    /// flight (if any) has finished.
    /// - Throws: the error of an earlier write that failed (the run should stop: its state is no
    ///   longer being saved).
    public func submit(_ checkpoint: ModelFile, step: Int) throws {
        mailbox.lock()
        defer { mailbox.unlock() }
        while pending != nil || busy { mailbox.wait() }
        if let failure { throw failure }
        precondition(!closed, "CheckpointWriter: submit after finish")
        pending = (checkpoint, path(step: step))
        mailbox.broadcast()
    }

    /// Waits for the writes queued so far and ends the writer's thread, then reports any failure.
    /// Nothing may be submitted after.
    public func finish() throws {
        mailbox.lock()
        defer { mailbox.unlock() }
        while pending != nil || busy { mailbox.wait() }
        closed = true
        mailbox.broadcast()
        if let failure { throw failure }
    }

    /// The writer thread: takes the pending checkpoint, writes it, prunes, repeats.
    ///
    /// The thread runs at the lowest priority (nice 19): with every core busy training, a
    /// checkpoint's ~15 ms of CPU (copying, Fletcher-32) then fills the gaps instead of slowing a
    /// worker that the others wait for at the next barrier.
    private func writeLoop() {
        #if os(Linux)
        // Linux keeps nice per thread, and who = 0 names the calling thread (setpriority(2)).
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        #endif
        while true {
            mailbox.lock()
            while pending == nil && !closed { mailbox.wait() }
            guard let (checkpoint, path) = pending else { mailbox.unlock(); return }
            pending = nil
            busy = true
            mailbox.unlock()
            var error: Error?
            do {
                try checkpoint.write(to: path)
                prune()
            } catch let failed {
                error = failed
            }
            mailbox.lock()
            busy = false
            if failure == nil { failure = error }
            mailbox.broadcast()
            mailbox.unlock()
        }
    }

    /// Deletes the oldest periodic checkpoints beyond `keep`, counting those already in the
    /// directory (from this run or the one it resumes).
    private func prune() {
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
