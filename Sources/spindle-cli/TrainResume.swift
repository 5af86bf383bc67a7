import Foundation
import Spindle

/// How `spindle train` finds the checkpoint to continue from, and the command that continues an
/// interrupted run.
enum TrainResume {
    /// The checkpoint named by --resume-from, or the newest valid one of --checkpoint-dir with
    /// --resume (saying which newer ones were skipped and why), or nil for a fresh run.
    static func find(resume: Bool, directory: String?, file: String?) throws -> ResumePoint? {
        if let file { return try ResumePoint.file(file) }
        guard resume, let directory else { return nil }
        let point = try ResumePoint.newest(in: directory)
        for skipped in point.skipped {
            note("spindle: skipping \(skipped.path): \(skipped.reason)")
        }
        if !point.skipped.isEmpty { note("spindle: falling back to \(point.path)") }
        return point
    }

    /// "spindle: resuming from PATH at step S (epoch E, batch B)".
    static func announce(_ point: ResumePoint) {
        let state = point.state
        note("spindle: resuming from \(point.path) at step \(state.step) (epoch \(state.epoch + 1), batch \(state.batchInEpoch))")
    }

    /// The command line that continues an interrupted run: the same arguments plus --resume.
    static func command(arguments: [String]) -> String {
        var words = ["spindle"] + arguments.dropFirst()
        if !words.contains("--resume") { words.append("--resume") }
        return words.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}
