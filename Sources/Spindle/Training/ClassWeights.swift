/// How much each training row's loss counts, by its class (`--class-weights`): for imbalanced
/// classes, so that a rare class is not traded away for a common one.
///
/// The batch loss is the weighted mean, as PyTorch's `CrossEntropyLoss(weight=w)`:
///
///     L = Σ_r w[y_r] · loss_r / Σ_r w[y_r]      over the batch's B rows
///
/// so the weights' scale does not change the step size, only the rows' shares of it. The
/// training loss reported per epoch is the same weighted mean over the epoch's rows; validation
/// and test losses are the plain mean (as Keras' `class_weight`): they measure the model.
///
/// In a config it is JSON `"balanced"` before a run resolves it, and the list of numbers after
/// (what a checkpoint records, so a resumed run compares the weights themselves).
public enum ClassWeights: Codable, Equatable, Sendable {
    /// w_c = n / (K · n_c) from the training labels: n rows, n_c of class c, K the classes that
    /// have rows (scikit-learn's `compute_class_weight("balanced")`); a class with no training
    /// rows gets 0 (no row of it is ever weighted).
    case balanced
    /// w_c for each class c, in class order.
    case given([Double])

    /// The resolved weights, nil while `.balanced`.
    public var values: [Double]? {
        if case .given(let weights) = self { return weights }
        return nil
    }

    /// The balanced weights for training-label counts `counts` (one per class).
    public static func balanced(counts: [Int]) -> [Double] {
        let n = counts.reduce(0, +), present = counts.filter { $0 > 0 }.count
        return counts.map { $0 > 0 ? Double(n) / (Double(present) * Double($0)) : 0 }
    }

    /// "balanced", or the weights as given ("1,3.5").
    public var description: String {
        switch self {
        case .balanced: "balanced"
        // Whole numbers as integers, so that "1,3" reads back as it was typed.
        case .given(let weights): weights.map { $0 == $0.rounded() && abs($0) < 1e15 ? "\(Int($0))" : "\($0)" }
            .joined(separator: ",")
        }
    }

    /// Parses `--class-weights`: "balanced" or numbers separated by commas.
    /// - Throws: `SpindleError.invalidConfig` naming the part that is not a number.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "balanced" {
            self = .balanced
            return
        }
        let weights = try trimmed.split(separator: ",", omittingEmptySubsequences: false).map { part in
            guard let value = Double(part.trimmingCharacters(in: .whitespaces)) else {
                throw SpindleError.invalidConfig(setting: "class-weights", found: text,
                                                 expected: "'balanced' or one number per class, e.g. 1,4.5 ('\(part)' is not a number)")
            }
            return value
        }
        self = .given(weights)
    }

    /// Checks the values, and with `classes` their count.
    /// - Throws: `SpindleError.invalidConfig` for a weight that is negative or not finite, all
    ///   weights 0, or (with `classes`) a count other than one per class.
    public func validate(classes: Int? = nil) throws {
        guard case .given(let weights) = self else { return }
        func fail(_ expected: String) throws -> Never {
            throw SpindleError.invalidConfig(setting: "class-weights", found: description, expected: expected)
        }
        if let bad = weights.first(where: { !($0 >= 0 && $0.isFinite) }) {
            try fail("finite weights >= 0 (found \(bad))")
        }
        if !weights.contains(where: { $0 > 0 }) { try fail("at least one weight > 0") }
        if let classes, weights.count != classes {
            try fail("\(classes) weights, one per class (found \(weights.count)), or 'balanced'")
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard text == "balanced" else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription:
                    "class weights '\(text)': expected \"balanced\" or a list of numbers")
            }
            self = .balanced
        } else {
            self = .given(try container.decode([Double].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .balanced: try container.encode("balanced")
        case .given(let weights): try container.encode(weights)
        }
    }
}
