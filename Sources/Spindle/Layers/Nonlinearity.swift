/// The elementwise function a layer runs: one of the `Activation`s, or leaky ReLU with its
/// negative slope (`LayerSpec.leakyRelu`), which the raw-valued `Activation` cannot carry.
enum Nonlinearity: Sendable, Equatable {
    case plain(Activation)
    /// f(z) = z for z > 0, slope · z otherwise (`nn.LeakyReLU(slope)`); slope ≥ 0.
    case leakyRelu(slope: Float)

    @inline(__always)
    func apply(_ z: Float) -> Float {
        switch self {
        case let .plain(activation): return activation.apply(z)
        case let .leakyRelu(slope): return z > 0 ? z : slope * z
        }
    }

    /// Whether f' needs the pre-activation (so a layer applying f keeps it while training).
    var needsInput: Bool {
        if case let .plain(activation) = self { return activation.needsInput }
        // With slope ≥ 0, f(z) > 0 exactly when z > 0: the output tells which branch ran (at
        // z = 0, slope, as PyTorch's backward takes the z ≤ 0 branch there).
        return false
    }

    /// f'(z) from z (read only when `needsInput`) and a = f(z).
    @inline(__always)
    func derivative(input z: Float, output a: Float) -> Float {
        switch self {
        case let .plain(activation): return activation.derivative(input: z, output: a)
        case let .leakyRelu(slope): return a > 0 ? 1 : slope
        }
    }
}
