/// One entry of a model's layer list, as written in `--model` and stored in model files.
///
/// The text form is the `--model` grammar (`dense(512)`, `relu`, `dropout(0.2)`,
/// `dense(64,init=torch)`, `leaky_relu(0.1)`, `layernorm`, `residual(layernorm,dense(64),gelu)`);
/// the JSON form is what `--model @file.json` reads and the model file stores: `{"dense": 512}`,
/// `{"dense": 64, "init": "torch"}`, `"relu"`, `{"dropout": 0.2}`, `{"leaky_relu": 0.1}`,
/// `"layernorm"`, `"batchnorm"`, `{"residual": ["layernorm", {"dense": 64}, "gelu"]}`.
/// Semantics are PyTorch's: `dense(N)` is `nn.Linear(in, N)`, `dropout(p)` `nn.Dropout(p)`,
/// `leaky_relu(a)` `nn.LeakyReLU(a)`, `layernorm` `nn.LayerNorm(in)`, `batchnorm`
/// `nn.BatchNorm1d(in)`.
public enum LayerSpec: Equatable, Sendable {
    /// PyTorch's `nn.LeakyReLU` default negative slope.
    public static let leakyReluSlope = 0.01

    /// A fully connected layer of `units` outputs, y = x · Wᵀ + b; `initialization` overrides
    /// the model's default rule for its weights.
    case dense(units: Int, initialization: Initialization? = nil)
    /// An elementwise nonlinearity.
    case activation(Activation)
    /// z for z > 0, slope · z otherwise; `leaky_relu` alone means slope 0.01 (PyTorch's default).
    case leakyRelu(Double)
    /// Inverted dropout: while training, each unit is zeroed with probability p and the others
    /// scaled by 1/(1 − p); at evaluation it passes its input through.
    case dropout(Double)
    /// Each row normalised over its features (ε = 1e-5), then scaled and shifted per feature.
    case layerNorm
    /// Each feature normalised over the batch's rows while training (ε = 1e-5), over running
    /// statistics (momentum 0.1) at evaluation, then scaled and shifted.
    case batchNorm
    /// x + body(x), for a body that keeps the width of its input.
    case residual([LayerSpec])

    /// The term's name in the grammar and in model-file group names ("dense", "relu", …).
    public var kind: String {
        switch self {
        case .dense: return "dense"
        case let .activation(activation): return activation.rawValue
        case .leakyRelu: return "leaky_relu"
        case .dropout: return "dropout"
        case .layerNorm: return "layernorm"
        case .batchNorm: return "batchnorm"
        case .residual: return "residual"
        }
    }

    /// Whether this layer holds parameters of its own (and so a group of datasets in the model
    /// file); a residual block holds its body's, in groups inside its own.
    public var hasParameters: Bool {
        switch self {
        case .dense, .layerNorm, .batchNorm: return true
        case let .residual(body): return body.contains { $0.hasParameters }
        case .activation, .leakyRelu, .dropout: return false
        }
    }

    /// The units of every dense layer in this term, blocks' bodies included, in order.
    var denseUnits: [Int] {
        switch self {
        case let .dense(units, _): return [units]
        case let .residual(body): return body.flatMap(\.denseUnits)
        default: return []
        }
    }

    /// Whether this term is, or holds, a `batchnorm`.
    public var containsBatchNorm: Bool {
        switch self {
        case .batchNorm: return true
        case let .residual(body): return body.contains { $0.containsBatchNorm }
        default: return false
        }
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
        case let .leakyRelu(slope):
            return "leaky_relu(\(slope))"
        case let .dropout(p):
            return "dropout(\(p))"
        case .layerNorm, .batchNorm:
            return kind
        case let .residual(body):
            return "residual(\(body.specText))"
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

    /// The width after these layers, given the width before them (blocks keep theirs).
    func outputWidth(from width: Int) -> Int {
        reduce(width) { width, layer in
            if case let .dense(units, _) = layer { return units }
            return width
        }
    }
}
