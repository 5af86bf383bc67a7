import Foundation

/// Finds the checkpoint to resume from: the newest in a directory that reads back whole.
public enum CheckpointFinder {
    /// A checkpoint that could not be used, and why.
    public struct Skipped: Sendable {
        public var path: String
        public var reason: String
    }

    /// The newest checkpoint of `directory` (by step) that verifies: opens, passes every dataset's
    /// Fletcher-32 check, and holds a training state. Unusable newer ones are reported in `skipped`.
    /// - Throws: `SpindleError.invalidModel` when none is usable.
    public static func newestValid(in directory: String) throws -> (checkpoint: ModelFile, path: String, skipped: [Skipped]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let candidates = names.compactMap { name in CheckpointWriter.step(ofFileName: name).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
            .map { directory + "/" + $0.0 }
        var skipped: [Skipped] = []
        for path in candidates {
            do {
                let checkpoint = try ModelFile.read(from: path)
                guard checkpoint.state != nil, checkpoint.config != nil else {
                    skipped.append(Skipped(path: path, reason: "holds no training state"))
                    continue
                }
                return (checkpoint, path, skipped)
            } catch {
                skipped.append(Skipped(path: path, reason: "\(error)"))
            }
        }
        let detail = skipped.isEmpty ? "no checkpoint (ckpt-*.h5) in it" :
            "none of its \(skipped.count) checkpoint(s) verifies; newest: \(skipped[0].reason)"
        throw SpindleError.invalidModel(path: directory, problem: "cannot resume: \(detail)")
    }
}
