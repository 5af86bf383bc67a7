import Foundation

/// `layernorm`: PyTorch's `nn.LayerNorm(N)` over each row's features,
/// y = (x − μ) / √(σ² + ε) · weight + bias, with μ and σ² the row's mean and biased variance and
/// ε = 1e-5. Row-local, so it runs in phase A like any other layer; phase B sums its parameters'
/// gradients over all B rows in row order, per feature (its units are its features). The loops
/// are `NormKernels`' (vectorised, each with a fixed order of additions).
///
/// Letters (Layer.swift): B, R rows; N = I = O features.
///
///     weight  (N) at `weightOffset`, starting at 1;  bias  (N) after it, starting at 0
///     scratch, training only: (B, N) x̂ = (x − μ)·r and (B, 1) r = 1/√(σ² + ε), for the
///             backward pass and for phase B's ∂L/∂weight = Σ_rows ∂L/∂y · x̂
final class LayerNormLayer: Layer, @unchecked Sendable {
    static let epsilon = 1e-5
    let inputWidth: Int
    var outputWidth: Int { inputWidth }
    let weightOffset: Int
    var biasOffset: Int { weightOffset + inputWidth }

    init(width: Int, offset: Int) {
        inputWidth = width
        weightOffset = offset
    }

    var parameters: [ParameterTensor] {
        [ParameterTensor(name: "weight", shape: [inputWidth], offset: weightOffset),
         ParameterTensor(name: "bias", shape: [inputWidth], offset: biasOffset)]
    }
    var unitCount: Int { inputWidth }

    func scratch(training: Bool) -> ScratchNeeds {
        training ? ScratchNeeds(perRow: [inputWidth, 1]) : ScratchNeeds()
    }

    // MARK: - Phase A

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let n = inputWidth, gamma = io.parameters + weightOffset, beta = io.parameters + biasOffset
        let kept = io.scratch.isEmpty ? nil : (xhat: io.scratch[0], r: io.scratch[1])
        for row in rows {
            let x = io.input + row * n
            // Two passes in Double: the mean first, then the squared deviations from it, so a
            // row with a large mean loses no digits of its variance (E[x²] − μ² would).
            let (mean, squares) = NormKernels.meanAndSquaredDeviations(x, count: n)
            let r = Float(1 / (squares / Double(n) + Self.epsilon).squareRoot())
            kept?.r[row] = r
            NormKernels.normalizeRow(x, mu: Float(mean), r: r, gamma: gamma, beta: beta, xhat: kept.map { $0.xhat + row * n },
                                     y: io.output + row * n, count: n)
        }
    }

    /// ∂L/∂x = r · (g − mean(g) − x̂ · mean(g · x̂)) with g = ∂L/∂y · weight, the means over the
    /// row's features (the derivative of the normalisation, whose mean and variance depend on x).
    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        let n = inputWidth, gamma = io.parameters + weightOffset
        let xhats = io.scratch[0], rs = io.scratch[1]
        for row in rows {
            let dy = dY + row * n, xhat = xhats + row * n
            let (sumG, sumGX) = NormKernels.gradientSums(dy, gamma, xhat, count: n)
            NormKernels.layerNormBackwardRow(dy, gamma: gamma, xhat: xhat, r: rs[row], meanG: Float(sumG / Double(n)),
                                             meanGX: Float(sumGX / Double(n)), dx: dX + row * n, count: n)
        }
    }

    // MARK: - Phase B

    /// ∂L/∂weight[u] = Σ_rows ∂L/∂y · x̂ and ∂L/∂bias[u] = Σ_rows ∂L/∂y, rows in order 0…B−1.
    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows b: Int, gradients g: UnsafeMutablePointer<Float>) {
        guard let dY = io.outputGradient else { return }
        NormKernels.productColumnSums(dY, io.scratch[0], rows: b, stride: inputWidth, columns: units,
                                      products: g + weightOffset, sums: g + biasOffset)
    }

    /// Weight decay leaves norms' scales and shifts alone, as it does biases: decaying a scale
    /// towards 0 would shrink the layer's output, not regularise a mapping.
    func parameterRanges(units: Range<Int>) -> UnitRanges {
        UnitRanges(weight: (weightOffset + units.lowerBound)..<(weightOffset + units.upperBound), weightDecays: false,
                   bias: (biasOffset + units.lowerBound)..<(biasOffset + units.upperBound))
    }
}
