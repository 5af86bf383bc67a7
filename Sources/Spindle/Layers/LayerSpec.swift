/// One entry of a model's layer list, as written in `--model` and stored in model files.
///
/// The text form is the `--model` grammar (`dense(512)`, `relu`, `dropout(0.2)`,
/// `dense(64,init=torch)`); the JSON form is what `--model @file.json` reads and the model file
/// stores: `{"dense": 512}`, `{"dense": 64, "init": "torch"}`, `"relu"`, `{"dropout": 0.2}`.
/// Semantics are PyTorch's: `dense(N)` is `nn.Linear(in, N)`, `dropout(p)` is `nn.Dropout(p)`.
public enum LayerSpec: Equatable, Sendable {
    /// A fully connected layer of `units` outputs, y = x · Wᵀ + b; `initialization` overrides
    /// the model's default rule for its weights.
    case dense(units: Int, initialization: Initialization? = nil)
    /// An elementwise nonlinearity.
    case activation(Activation)
    /// Inverted dropout: while training, each unit is zeroed with probability p and the others
    /// scaled by 1/(1 − p); at evaluation it passes its input through.
    case dropout(Double)

    /// The term's name in the grammar and in model-file group names ("dense", "relu", …).
    public var kind: String {
        switch self {
        case .dense: return "dense"
        case let .activation(activation): return activation.rawValue
        case .dropout: return "dropout"
        }
    }

    /// Whether this layer holds parameters (and so a group in the model file).
    public var hasParameters: Bool {
        if case .dense = self { return true }
        return false
    }
}

extension LayerSpec: CustomStringConvertible {
    /// The term in the `--model` grammar, e.g. "dense(512)" or "dropout(0.2)".
    public var description: String {
        switch self {
        case let .dense(units, initialization):
            return "dense(\(units)" + (initialization.map { ",init=\($0.rawValue)" } ?? "") + ")"
        case let .activation(activation):
            return activation.rawValue
        case let .dropout(p):
            return "dropout(\(p))"
        }
    }
}

extension Array where Element == LayerSpec {
    /// The list in the `--model` grammar: "dense(512),relu,dropout(0.2)".
    public var specText: String { map(\.description).joined(separator: ",") }

    /// What `--layers W1,W2 --activation A --dropout P` stands for: dense(W), A and, when P > 0,
    /// dropout(P) for every hidden width.
    public static func shorthand(hiddenSizes: [Int], activation: Activation = .relu, dropout: Double = 0) -> [LayerSpec] {
        hiddenSizes.flatMap { width -> [LayerSpec] in
            [.dense(units: width), .activation(activation)] + (dropout > 0 ? [.dropout(dropout)] : [])
        }
    }
}
