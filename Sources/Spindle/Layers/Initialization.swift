/// How a dense layer's parameters start: weights uniform in (−a, a); biases zero, except for
/// `torch`, which draws them too.
public enum Initialization: String, CaseIterable, Codable, Sendable {
    /// a = √(6 / fan_in) (He et al. 2015), for ReLU layers.
    case he
    /// a = √(6 / (fan_in + fan_out)) (Glorot & Bengio 2010): Keras's default.
    case glorot
    /// a = √(3 / fan_in) (LeCun 1998; Keras's lecun_uniform).
    case lecun
    /// a = 1/√fan_in for weights and biases alike: PyTorch's `nn.Linear` default
    /// (kaiming_uniform with a = √5 works out to this bound).
    case torch

    /// The half-width a of the weights' uniform distribution.
    public func limit(fanIn: Int, fanOut: Int) -> Float {
        switch self {
        case .he: return Float((6.0 / Double(fanIn)).squareRoot())
        case .glorot: return Float((6.0 / Double(fanIn + fanOut)).squareRoot())
        case .lecun: return Float((3.0 / Double(fanIn)).squareRoot())
        case .torch: return Float((1.0 / Double(fanIn)).squareRoot())
        }
    }

    /// The half-width of the biases' uniform distribution; nil where they start at zero.
    public func biasLimit(fanIn: Int) -> Float? {
        self == .torch ? Float((1.0 / Double(fanIn)).squareRoot()) : nil
    }
}
