/// The checkpoint a run continues from, and the rules for continuing from it: only the length
/// of the run (`TrainingRunError.changeableOnResume`) and the worker count may change.
public struct ResumePoint: Sendable {
    public var checkpoint: ModelFile
    public var path: String
    /// Newer checkpoints of the directory that did not verify, newest first, and why.
    public var skipped: [CheckpointFinder.Skipped] = []

    /// The training state and config the checkpoint holds.
    public var state: TrainingState { checkpoint.state ?? TrainingState() }
    public var config: TrainingConfig? { checkpoint.config }

    /// The checkpoint file at `path`.
    /// - Throws: `SpindleError.invalidModel` when it cannot be read or holds no training state.
    public static func file(_ path: String) throws -> ResumePoint {
        let checkpoint = try ModelFile.read(from: path)
        guard checkpoint.state != nil, checkpoint.config != nil else {
            throw SpindleError.invalidModel(path: path, problem: "holds no training state; it cannot be resumed")
        }
        if checkpoint.earlyStopping?.restored == true {
            throw SpindleError.invalidModel(
                path: path, problem: "holds the best epoch's weights that early stopping restored, not the weights its " +
                    "training state continues from; resume from a ckpt-*.h5 checkpoint instead")
        }
        return ResumePoint(checkpoint: checkpoint, path: path)
    }

    /// The newest checkpoint of `directory` that verifies, with the newer ones skipped.
    /// - Throws: `SpindleError.invalidModel` when none is usable.
    public static func newest(in directory: String) throws -> ResumePoint {
        let found = try CheckpointFinder.newestValid(in: directory)
        return ResumePoint(checkpoint: found.checkpoint, path: found.path, skipped: found.skipped)
    }

    /// Every setting that differs between the checkpoint's run and one with `config` on
    /// `trainRows` training rows, in name order (the length of the run is ignored).
    public func differences(from config: TrainingConfig, trainRows: Int) -> [TrainingRunError.SettingDifference] {
        var found = checkpoint.config.map { Self.differences($0, config) } ?? []
        if let rows = checkpoint.trainRows, rows != trainRows {
            found.append(.init(setting: "trainRows", saved: "\(rows)", now: "\(trainRows)"))
            found.sort { $0.setting < $1.setting }
        }
        return found
    }

    /// Checks that a run with `config` on `trainRows` rows continues the checkpoint's run.
    /// - Throws: `TrainingRunError.incompatibleCheckpoint` naming every setting that differs.
    public func check(_ config: TrainingConfig, trainRows: Int) throws {
        let differences = differences(from: config, trainRows: trainRows)
        guard differences.isEmpty else {
            throw TrainingRunError.incompatibleCheckpoint(path: path, differences: differences)
        }
    }

    /// Settings that differ between two configs, compared as JSON, ignoring the length of the run.
    static func differences(_ saved: TrainingConfig, _ now: TrainingConfig) -> [TrainingRunError.SettingDifference] {
        guard var a = JSONLine.object(saved) as? [String: Any], var b = JSONLine.object(now) as? [String: Any] else {
            return []
        }
        // Written only when on: absent means off, and a difference should say "false", not "none".
        for (key, off) in ["dropLast": false] {
            a[key] = a[key] ?? off
            b[key] = b[key] ?? off
        }
        // Each value is written as the JSON of {"v": value}, less the wrapper: "v" keeps
        // scalars serialisable and the sorted keys make equal values equal text.
        func text(_ value: Any?) -> String {
            guard let value else { return "none" }
            return String(JSONLine.text(["v": value]).dropFirst(5).dropLast())
        }
        return Set(a.keys).union(b.keys).subtracting(TrainingRunError.changeableOnResume).sorted().compactMap { key in
            let before = text(a[key]), after = text(b[key])
            return before == after ? nil : .init(setting: key, saved: before, now: after)
        }
    }
}
