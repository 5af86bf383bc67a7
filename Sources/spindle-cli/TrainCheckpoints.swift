import ArgumentParser
import Foundation
import Spindle

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
            throw SpindleError.cannotWrite(
                path: directory, reason: "the checkpoint directory is not writable (\(String(cString: strerror(errno))))")
        }
        removeAbandonedTemporaries(in: directory)
        return directory + "/model.h5"
    }

    /// Deletes the hidden temporary files (".<name>.h5.tmp-<pid>", `AtomicFile`) that a run killed
    /// in the middle of a write left behind: they are never read, but each holds a checkpoint's
    /// worth of disk. Only those of processes that no longer exist, so that a run still writing
    /// into the same directory keeps its own.
    static func removeAbandonedTemporaries(in directory: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard name.hasPrefix("."), let marker = name.range(of: ".h5.tmp-", options: .backwards),
                  let pid = Int32(name[marker.upperBound...]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(directory + "/" + name)
            }
        }
    }
}

/// When a run writes checkpoints: at every epoch end and every `every` steps (0: epoch ends
/// only), never twice for one step, never of non-finite weights.
struct CheckpointPolicy {
    let writer: CheckpointWriter?
    let every: Int
    var lastSaved: Int
    let trainer: Trainer
    let config: TrainingConfig
    let trainRows: Int

    mutating func afterStep(_ state: TrainingState) throws {
        let epochEnded = state.batchInEpoch == 0
        if epochEnded || (every > 0 && state.step % every == 0) { try save(state) }
    }

    mutating func save(_ state: TrainingState) throws {
        guard let writer, state.step != lastSaved else { return }
        // Never replace good checkpoints with weights an update made non-finite.
        guard trainer.network.isFinite else { throw SpindleError.diverged(step: state.step, loss: .nan) }
        try writer.submit(Snapshot.of(trainer, config: config, state: state, trainRows: trainRows), step: state.step)
        lastSaved = state.step
    }
}

/// A copy of a trainer's state, made on the training thread, for a checkpoint to be written
/// while training goes on.
enum Snapshot {
    static func of(_ trainer: Trainer, config: TrainingConfig, state: TrainingState, trainRows: Int) -> ModelFile {
        let network = trainer.network.copy()
        return ModelFile(network: network, config: config, moments: trainer.engine.moments.map { $0.array() },
                         steps: state.step, epochs: state.history.count, state: state, trainRows: trainRows)
    }
}

/// The checkpoint a run continues from, and the checks that it can.
struct ResumePoint {
    var checkpoint: ModelFile
    var path: String

    /// The checkpoint named by --resume-from, or the newest valid one of --checkpoint-dir with
    /// --resume (saying which newer ones were skipped and why), or nil for a fresh run.
    static func find(resume: Bool, directory: String?, file: String?) throws -> ResumePoint? {
        if let file {
            let checkpoint = try ModelFile.read(from: file)
            guard checkpoint.state != nil, checkpoint.config != nil else {
                throw SpindleError.invalidModel(path: file, problem: "holds no training state; it cannot be resumed")
            }
            return ResumePoint(checkpoint: checkpoint, path: file)
        }
        guard resume, let directory else { return nil }
        let found = try CheckpointFinder.newestValid(in: directory)
        for skipped in found.skipped {
            note("spindle: skipping \(skipped.path): \(skipped.reason)")
        }
        if !found.skipped.isEmpty { note("spindle: falling back to \(found.path)") }
        return ResumePoint(checkpoint: found.checkpoint, path: found.path)
    }

    /// Loads the checkpoint into `trainer` after checking it continues the same run.
    /// - Returns: the state to continue from.
    func restore(into trainer: Trainer, trainRows: Int) throws -> TrainingState {
        guard let saved = checkpoint.config, let state = checkpoint.state else {
            throw SpindleError.invalidModel(path: path, problem: "holds no training state; it cannot be resumed")
        }
        let differences = Self.differences(saved, trainer.config)
        guard differences.isEmpty else {
            throw SpindleError.invalidModel(
                path: path, problem: "was trained with other settings: \(differences.joined(separator: "; ")); " +
                    "resume with the same settings (only --epochs, --max-steps and --workers may change)")
        }
        if let rows = checkpoint.trainRows, rows != trainRows {
            throw SpindleError.invalidModel(
                path: path, problem: "was trained on \(rows) training rows, this data has \(trainRows)")
        }
        try trainer.restore(from: checkpoint, path: path)
        note("spindle: resuming from \(path) at step \(state.step) (epoch \(state.epoch + 1), batch \(state.batchInEpoch))")
        return state
    }

    /// Settings that differ between two configs, as "name: saved → now", ignoring the length of
    /// the run.
    static func differences(_ saved: TrainingConfig, _ now: TrainingConfig) -> [String] {
        guard let a = saved.jsonObject as? [String: Any], let b = now.jsonObject as? [String: Any] else { return [] }
        return Set(a.keys).union(b.keys).subtracting(["epochs", "maxSteps"]).sorted().compactMap { key in
            let before = a[key].map { jsonLine(["v": $0]) } ?? "none", after = b[key].map { jsonLine(["v": $0]) } ?? "none"
            guard before != after else { return nil }
            func value(_ line: String) -> String { String(line.dropFirst(5).dropLast()) }
            return "\(key) \(value(before)) → \(value(after))"
        }
    }

    /// The command line that continues an interrupted run: the same arguments plus --resume.
    static func command(arguments: [String]) -> String {
        var words = ["spindle"] + arguments.dropFirst()
        if !words.contains("--resume") { words.append("--resume") }
        return words.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}
