import Foundation

/// Hidden-layer nonlinearities without a parameter (leaky ReLU, which has one, is
/// `LayerSpec.leakyRelu`). Each is applied in place after the bias. ReLU, sigmoid and tanh are
/// differentiated from their own output, so their pre-activation never has to be kept; GELU and
/// SiLU are not functions of their output alone, so the layer that applies them keeps the
/// pre-activation while training (`needsInput`).
public enum Activation: String, CaseIterable, Codable, Sendable {
    case relu, sigmoid, tanh
    /// x · Φ(x), Φ the standard normal CDF, in the exact erf form: PyTorch's `nn.GELU()`
    /// (approximate="none").
    case gelu
    /// x · σ(x) (also "swish"): PyTorch's `nn.SiLU()`.
    case silu

    /// f(z).
    @inline(__always)
    public func apply(_ z: Float) -> Float {
        switch self {
        case .relu:
            return z > 0 ? z : 0
        case .sigmoid:
            return Self.sigmoid(z)
        case .tanh:
            // libm's tanhf saturates to ±1 for large |z| without overflow.
            return Foundation.tanh(z)
        case .gelu:
            // Φ(z) = (1 + erf(z/√2)) / 2; erff saturates to ±1, so z → −∞ gives −0·… = 0.
            return 0.5 * z * (1 + Foundation.erf(z * Self.rsqrt2))
        case .silu:
            return z * Self.sigmoid(z)
        }
    }

    /// Whether f' needs the pre-activation z (GELU, SiLU) rather than the output alone.
    public var needsInput: Bool { self == .gelu || self == .silu }

    /// f'(z) written in terms of a = f(z), for the activations that allow it (not `needsInput`).
    @inline(__always)
    public func derivative(output a: Float) -> Float {
        switch self {
        case .relu: return a > 0 ? 1 : 0
        case .sigmoid: return a * (1 - a)
        case .tanh: return 1 - a * a
        case .gelu, .silu: preconditionFailure("Activation.\(self): f' needs the input; use derivative(input:output:)")
        }
    }

    /// f'(z), from whichever of z and a = f(z) the function needs.
    @inline(__always)
    public func derivative(input z: Float, output a: Float) -> Float {
        switch self {
        case .relu, .sigmoid, .tanh:
            return derivative(output: a)
        case .gelu:
            // d/dz z·Φ(z) = Φ(z) + z·φ(z), φ(z) = exp(−z²/2)/√(2π); exp underflows to 0 for
            // large |z| (no overflow: the argument is never positive).
            let phi = Foundation.exp(-0.5 * z * z) * Self.rsqrt2pi
            return 0.5 * (1 + Foundation.erf(z * Self.rsqrt2)) + z * phi
        case .silu:
            // d/dz z·σ(z) = σ(z)·(1 + z·(1 − σ(z))).
            let s = Self.sigmoid(z)
            return s * (1 + z * (1 - s))
        }
    }

    /// The initialisation that keeps activations' variance steady through this nonlinearity:
    /// He for ReLU and its smooth relatives (GELU, SiLU: zero for z ≪ 0, identity for z ≫ 0),
    /// Glorot for the saturating ones (the dense layer before it uses it unless told otherwise).
    public var initialization: Initialization {
        switch self {
        case .relu, .gelu, .silu: return .he
        case .sigmoid, .tanh: return .glorot
        }
    }

    /// σ(z), evaluating exp only of a non-positive number: exp(−z) overflows Float for z < −88,
    /// and 1/(1+inf) would still be right, but inf/inf in the z > 88 branch would be NaN.
    @inline(__always)
    static func sigmoid(_ z: Float) -> Float {
        if z >= 0 { return 1 / (1 + Foundation.exp(-z)) }
        let e = Foundation.exp(z)
        return e / (1 + e)
    }

    static let rsqrt2: Float = 0.70710678118654752
    static let rsqrt2pi: Float = 0.39894228040143268
}
