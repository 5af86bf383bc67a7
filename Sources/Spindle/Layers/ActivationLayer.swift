/// An elementwise nonlinearity that no dense layer's pass absorbed (e.g. one after dropout, or
/// the model's first layer). Y = f(X); ∂L/∂X = ∂L/∂Y · f'(X), f' from the output Y for ReLU,
/// sigmoid, tanh and leaky ReLU, from the input X (which the previous layer keeps in its output
/// buffer anyway) for GELU and SiLU.
///
/// Letters (Layer.swift): R rows, N = I = O features.
final class ActivationLayer: Layer, @unchecked Sendable {
    let inputWidth: Int
    var outputWidth: Int { inputWidth }
    let activation: Nonlinearity

    init(width: Int, activation: Nonlinearity) {
        inputWidth = width
        self.activation = activation
    }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let n = inputWidth, start = rows.lowerBound * n, count = rows.count * n
        let x = io.input + start, y = io.output + start
        for i in 0..<count { y[i] = activation.apply(x[i]) }
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        let n = inputWidth, start = rows.lowerBound * n, count = rows.count * n
        let x = io.input + start, y = io.output + start, dy = dY + start, dx = dX + start
        for i in 0..<count { dx[i] = dy[i] * activation.derivative(input: x[i], output: y[i]) }
    }
}
