/// Mistakes a user can make and fix; each describes itself in one line that names what was
/// wrong, what was found and what was expected (DESIGN.md contract 5).
public enum SpindleError: Error, CustomStringConvertible, Equatable {
    /// A setting (flag) with an unusable value.
    case invalidConfig(setting: String, found: String, expected: String)
    /// A dataset file whose content cannot be trained on: `location` is "file.h5:/train/x".
    case invalidData(location: String, problem: String)
    /// A model or checkpoint file that cannot be used.
    case invalidModel(path: String, problem: String)
    /// Training produced a non-finite loss; the weights were not saved.
    case diverged(step: Int, loss: Double)
    /// A file that could not be written.
    case cannotWrite(path: String, reason: String)
    /// A training state a run cannot continue from (a count out of range, a batch past the end
    /// of an epoch).
    case invalidState(problem: String)

    public var description: String {
        switch self {
        case let .invalidConfig(setting, found, expected):
            return "invalid --\(setting) '\(found)': expected \(expected)"
        case let .invalidData(location, problem):
            return "\(location): \(problem)"
        case let .invalidModel(path, problem):
            return "\(path): \(problem)"
        case let .diverged(step, loss):
            let value = loss.isNaN ? "NaN" : loss > 0 ? "+infinity" : "-infinity"
            return "training diverged at step \(step): the loss is \(value); no weights were saved " +
                "(try a lower --lr, --clip-norm, or a different --seed)"
        case let .cannotWrite(path, reason):
            return "cannot write '\(path)': \(reason)"
        case let .invalidState(problem):
            return "training state: \(problem)"
        }
    }
}
