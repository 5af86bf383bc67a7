/// An elementwise nonlinearity that no dense layer's pass absorbed (e.g. one after dropout, or
/// the model's first layer). Y = f(X); ∂L/∂X = ∂L/∂Y · f'(Y), from the output as `Activation`
/// differentiates.
///
/// Letters (Layer.swift): R rows, N = I = O features.
final class ActivationLayer: Layer, @unchecked Sendable {
    let inputWidth: Int
    var outputWidth: Int { inputWidth }
    let activation: Activation

    init(width: Int, activation: Activation) {
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
        let y = io.output + start, dy = dY + start, dx = dX + start
        for i in 0..<count { dx[i] = dy[i] * activation.derivative(output: y[i]) }
    }
}
