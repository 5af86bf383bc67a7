import Foundation

/// Hidden-layer nonlinearities. Each is applied in place after the bias, and differentiated from
/// its own output (so the pre-activation never has to be kept).
public enum Activation: String, CaseIterable, Codable, Sendable {
    case relu, sigmoid, tanh

    /// f(z).
    @inline(__always)
    public func apply(_ z: Float) -> Float {
        switch self {
        case .relu:
            return z > 0 ? z : 0
        case .sigmoid:
            // Evaluate exp only of a non-positive number: exp(-z) overflows Float for z < -88,
            // and 1/(1+inf) would still be right, but inf/inf in the z > 88 branch would be NaN.
            if z >= 0 { return 1 / (1 + Foundation.exp(-z)) }
            let e = Foundation.exp(z)
            return e / (1 + e)
        case .tanh:
            // libm's tanhf saturates to ±1 for large |z| without overflow.
            return Foundation.tanh(z)
        }
    }

    /// f'(z) written in terms of a = f(z).
    @inline(__always)
    public func derivative(output a: Float) -> Float {
        switch self {
        case .relu: return a > 0 ? 1 : 0
        case .sigmoid: return a * (1 - a)
        case .tanh: return 1 - a * a
        }
    }

    /// The initialisation that keeps activations' variance steady through this nonlinearity:
    /// He for ReLU, Glorot for the saturating ones (the dense layer before it uses it unless
    /// told otherwise).
    public var initialization: Initialization {
        self == .relu ? .he : .glorot
    }
}
