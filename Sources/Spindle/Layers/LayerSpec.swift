/// One entry of a model's layer list, as written in `--model` and stored in model files.
///
/// The text form is the `--model` grammar (`dense(512)`, `relu`, `dropout(0.2)`,
/// `dense(64,init=torch)`, `leaky_relu(0.1)`, `layernorm`, `residual(layernorm,dense(64),gelu)`);
/// the JSON form is what `--model @file.json` reads and the model file stores: `{"dense": 512}`,
/// `{"dense": 64, "init": "torch"}`, `"relu"`, `{"dropout": 0.2}`, `{"leaky_relu": 0.1}`,
/// `"layernorm"`, `"batchnorm"`, `{"residual": ["layernorm", {"dense": 64}, "gelu"]}`.
/// Semantics are PyTorch's: `dense(N)` is `nn.Linear(in, N)`, `dropout(p)` `nn.Dropout(p)`,
/// `leaky_relu(a)` `nn.LeakyReLU(a)`, `layernorm` `nn.LayerNorm(in)`, `batchnorm`
/// `nn.BatchNorm1d(in)` (`nn.BatchNorm2d(C)` on an image), `conv(C,K,stride=S,pad=P)`
/// `nn.Conv2d(in, C, K, S, P)`, `maxpool(K,stride=S)` `nn.MaxPool2d(K, S)`, `avgpool(K)`
/// `nn.AvgPool2d(K)`, `globalavgpool` `nn.AdaptiveAvgPool2d(1)` then `nn.Flatten()`, `flatten`
/// `nn.Flatten()`. JSON: `{"conv": [32, 3], "pad": 1}`, `{"maxpool": 2}`, `"flatten"`.
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
    /// x + body(x), for a body that keeps the shape of its input.
    case residual([LayerSpec])
    /// A 2-D convolution of an image: `channels` outputs, `kernel`×`kernel` windows moved by
    /// `stride`, the input zero-padded by `padding` on every side.
    case conv(channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, initialization: Initialization? = nil)
    /// The largest value of each channel in each `kernel`×`kernel` window (no padding; windows
    /// that do not fit are dropped, as PyTorch's floor mode).
    case maxPool(kernel: Int, stride: Int)
    /// The mean of each channel in each window, as `maxPool`.
    case avgPool(kernel: Int, stride: Int)
    /// An image (C, H, W) → a vector (C): each channel's mean over its positions.
    case globalAvgPool
    /// An image (C, H, W) → a vector of C·H·W features, in PyTorch's (C, H, W) order.
    case flatten

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
        case .conv: return "conv"
        case .maxPool: return "maxpool"
        case .avgPool: return "avgpool"
        case .globalAvgPool: return "globalavgpool"
        case .flatten: return "flatten"
        }
    }

    /// Whether this layer holds parameters of its own (and so a group of datasets in the model
    /// file); a residual block holds its body's, in groups inside its own.
    public var hasParameters: Bool {
        switch self {
        case .dense, .layerNorm, .batchNorm, .conv: return true
        case let .residual(body): return body.contains { $0.hasParameters }
        case .activation, .leakyRelu, .dropout, .maxPool, .avgPool, .globalAvgPool, .flatten: return false
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
        case .layerNorm, .batchNorm, .globalAvgPool, .flatten:
            return kind
        case let .residual(body):
            return "residual(\(body.specText))"
        case let .conv(channels, kernel, stride, padding, initialization):
            return "conv(\(channels),\(kernel)" + (stride != 1 ? ",stride=\(stride)" : "")
                + (padding != 0 ? ",pad=\(padding)" : "") + (initialization.map { ",init=\($0.rawValue)" } ?? "") + ")"
        case let .maxPool(kernel, stride), let .avgPool(kernel, stride):
            return "\(kind)(\(kernel)" + (stride != kernel ? ",stride=\(stride)" : "") + ")"
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
