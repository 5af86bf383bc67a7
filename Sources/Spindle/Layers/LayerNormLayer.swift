import Foundation

/// `layernorm`: PyTorch's `nn.LayerNorm(N)` over each row's features,
/// y = (x − μ) / √(σ² + ε) · weight + bias, with μ and σ² the row's mean and biased variance and
/// ε = 1e-5. Row-local, so it runs in phase A like any other layer; phase B sums its parameters'
/// gradients over all B rows in row order, per feature (its units are its features).
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
            let x = io.input + row * n, y = io.output + row * n
            // Two passes in Double: the mean first, then the squared deviations from it, so a
            // row with a large mean loses no digits of its variance (E[x²] − μ² would).
            var sum = 0.0
            for j in 0..<n { sum += Double(x[j]) }
            let mean = sum / Double(n)
            var squares = 0.0
            for j in 0..<n { let d = Double(x[j]) - mean; squares += d * d }
            let r = Float(1 / (squares / Double(n) + Self.epsilon).squareRoot()), mu = Float(mean)
            if let kept {
                let xhat = kept.xhat + row * n
                kept.r[row] = r
                for j in 0..<n { xhat[j] = (x[j] - mu) * r; y[j] = xhat[j] * gamma[j] + beta[j] }
            } else {
                for j in 0..<n { y[j] = (x[j] - mu) * r * gamma[j] + beta[j] }
            }
        }
    }

    /// ∂L/∂x = r · (g − mean(g) − x̂ · mean(g · x̂)) with g = ∂L/∂y · weight, the means over the
    /// row's features (the derivative of the normalisation, whose mean and variance depend on x).
    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        let n = inputWidth, gamma = io.parameters + weightOffset
        let xhats = io.scratch[0], rs = io.scratch[1]
        for row in rows {
            let dy = dY + row * n, dx = dX + row * n, xhat = xhats + row * n
            var sumG = 0.0, sumGX = 0.0
            for j in 0..<n {
                let g = Double(dy[j] * gamma[j])
                sumG += g
                sumGX += g * Double(xhat[j])
            }
            let meanG = Float(sumG / Double(n)), meanGX = Float(sumGX / Double(n)), r = rs[row]
            for j in 0..<n { dx[j] = r * (dy[j] * gamma[j] - meanG - xhat[j] * meanGX) }
        }
    }

    // MARK: - Phase B

    /// ∂L/∂weight[u] = Σ_rows ∂L/∂y · x̂ and ∂L/∂bias[u] = Σ_rows ∂L/∂y, rows in order 0…B−1.
    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows b: Int, gradients g: UnsafeMutablePointer<Float>) {
        guard let dY = io.outputGradient else { return }
        let n = inputWidth, xhats = io.scratch[0], dGamma = g + weightOffset, dBeta = g + biasOffset
        for u in units { dGamma[u] = 0; dBeta[u] = 0 }
        for row in 0..<b {
            let dy = dY + row * n, xhat = xhats + row * n
            for u in units {
                dGamma[u] += dy[u] * xhat[u]
                dBeta[u] += dy[u]
            }
        }
    }

    /// Weight decay leaves norms' scales and shifts alone, as it does biases: decaying a scale
    /// towards 0 would shrink the layer's output, not regularise a mapping.
    func parameterRanges(units: Range<Int>) -> UnitRanges {
        UnitRanges(weight: (weightOffset + units.lowerBound)..<(weightOffset + units.upperBound), weightDecays: false,
                   bias: (biasOffset + units.lowerBound)..<(biasOffset + units.upperBound))
    }
}
