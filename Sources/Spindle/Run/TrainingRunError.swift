/// Mistakes in setting up a training run that a user can fix; each describes itself in one line.
public enum TrainingRunError: Error, CustomStringConvertible, Equatable {
    /// The validation fraction holds out `held` of `count` units (rows, or blocks of a streamed
    /// split): none, or all of them.
    case validationHoldOut(fraction: Double, count: Int, units: String, held: Int)
    /// The checkpoint at `path` was written by a run whose settings differ from this one's:
    /// every setting that differs, in name order.
    case incompatibleCheckpoint(path: String, differences: [SettingDifference])
    /// Early stopping was asked for, but the data at `path` gives no validation split.
    case earlyStoppingNeedsValidation(path: String)
    /// `--monitor val_accuracy` on data at `path` whose targets are not class labels.
    case monitorNeedsLabels(path: String)

    /// One setting that differs between a checkpoint's run and this one.
    public struct SettingDifference: Sendable, Equatable, CustomStringConvertible {
        /// The setting's name: a `TrainingConfig` key ("batchSize", "optimizer"), or
        /// "trainRows" for the number of training rows.
        public var setting: String
        /// Its value in the checkpoint and now, as JSON ("none" when absent).
        public var saved: String
        public var now: String

        public init(setting: String, saved: String, now: String) {
            (self.setting, self.saved, self.now) = (setting, saved, now)
        }

        public var description: String { "\(setting) \(saved) → \(now)" }
    }

    /// The settings a resumed run may change: how long it runs. (The worker count is not a
    /// setting: any count gives the same bits.)
    public static let changeableOnResume: Set<String> = ["epochs", "maxSteps"]

    public var description: String {
        switch self {
        case let .validationHoldOut(fraction, count, units, held):
            return "--val-fraction \(fraction) of \(count) \(units) leaves \(held) validation \(units); " +
                "expected at least 1 and fewer than all"
        case let .earlyStoppingNeedsValidation(path):
            return "--early-stopping needs validation data, but \(path) has no /val split; " +
                "hold out part of the training rows with --val-fraction (e.g. 0.1)"
        case let .monitorNeedsLabels(path):
            return "--monitor val_accuracy needs class labels, but \(path) has float targets; monitor val_loss"
        case let .incompatibleCheckpoint(path, differences):
            let settings = differences.filter { $0.setting != "trainRows" }
            let rows = differences.first { $0.setting == "trainRows" }
            if settings.isEmpty, let rows {
                return "\(path): was trained on \(rows.saved) training rows, this data has \(rows.now)"
            }
            return "\(path): was trained with other settings: " +
                differences.map(\.description).joined(separator: "; ") +
                "; resume with the same settings (only --epochs, --max-steps and --workers may change)"
        }
    }
}
