import Foundation

/// `batchnorm`: PyTorch's `nn.BatchNorm1d(N)`. Training normalises each feature over the rows
/// of the batch, y = (x − μ) / √(σ² + ε) · weight + bias with the batch's mean μ and biased
/// variance σ², ε = 1e-5, and moves the running statistics by momentum 0.1 (the running variance
/// takes the unbiased σ² · B/(B − 1)); evaluation uses the running statistics instead, which
/// makes it row-local.
///
/// The batch statistics are a reduction across rows, so the layer sets `needsRowStatistics`:
/// the engine finishes every row tile before it, then `rowStatistics` sums each feature over
/// all B rows in row order (tiles of features, never of rows: any worker count gives the same
/// bits), and before the backward `gradientStatistics` does the same for Σ ∂L/∂y and
/// Σ ∂L/∂y · x̂, which are also the parameters' gradients.
///
/// Letters (Layer.swift): B, R rows; N = I = O features.
///
///     weight (N), bias (N)          trained (start at 1 and 0)
///     running_mean (N), running_var (N)  state, not trained: in the flat parameter buffer so that
///                                   checkpoints and model files carry them, but outside
///                                   `parameterRanges`, so no optimizer or weight decay touches
///                                   them (and their gradient stays 0)
///     scratch, training only: (B, N) x̂; fixed (N) each: μ, r = 1/√(σ² + ε), Σ∂L/∂y, Σ∂L/∂y·x̂
final class BatchNormLayer: Layer, @unchecked Sendable {
    static let epsilon = 1e-5
    static let momentum: Float = 0.1
    let inputWidth: Int
    var outputWidth: Int { inputWidth }
    let offset: Int

    init(width: Int, offset: Int) {
        inputWidth = width
        self.offset = offset
    }

    var parameters: [ParameterTensor] {
        ["weight", "bias", "running_mean", "running_var"].enumerated().map {
            ParameterTensor(name: $0.element, shape: [inputWidth], offset: offset + $0.offset * inputWidth)
        }
    }
    private var weightOffset: Int { offset }
    private var biasOffset: Int { offset + inputWidth }
    private var meanOffset: Int { offset + 2 * inputWidth }
    private var varianceOffset: Int { offset + 3 * inputWidth }
    var unitCount: Int { inputWidth }

    func scratch(training: Bool) -> ScratchNeeds {
        training ? ScratchNeeds(perRow: [inputWidth], fixed: [inputWidth, inputWidth, inputWidth, inputWidth]) : ScratchNeeds()
    }

    var needsRowStatistics: Bool { true }
    var statisticsUnits: Int { inputWidth }

    // MARK: - Phase A

    /// μ, r of `features` over all b rows, and the running statistics' step.
    func rowStatistics(_ io: LayerIO, features: Range<Int>, rows b: Int, context: RowContext) {
        precondition(b > 1, "BatchNormLayer: a training batch of one row has no variance")
        let n = inputWidth, mean = io.scratch[1], r = io.scratch[2]
        let runningMean = io.parameters + meanOffset, runningVariance = io.parameters + varianceOffset
        let m = Self.momentum
        for u in features {
            // Two passes in Double, rows in order: the mean, then the squared deviations.
            var sum = 0.0
            for row in 0..<b { sum += Double(io.input[row * n + u]) }
            let mu = sum / Double(b)
            var squares = 0.0
            for row in 0..<b { let d = Double(io.input[row * n + u]) - mu; squares += d * d }
            let variance = squares / Double(b)
            mean[u] = Float(mu)
            r[u] = Float(1 / (variance + Self.epsilon).squareRoot())
            runningMean[u] = (1 - m) * runningMean[u] + m * Float(mu)
            runningVariance[u] = (1 - m) * runningVariance[u] + m * Float(squares / Double(b - 1))
        }
    }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let n = inputWidth, gamma = io.parameters + weightOffset, beta = io.parameters + biasOffset
        guard context.training, !io.scratch.isEmpty else {
            let mean = io.parameters + meanOffset, variance = io.parameters + varianceOffset
            for row in rows {
                let x = io.input + row * n, y = io.output + row * n
                for j in 0..<n {
                    let r = Float(1 / (Double(variance[j]) + Self.epsilon).squareRoot())
                    y[j] = (x[j] - mean[j]) * r * gamma[j] + beta[j]
                }
            }
            return
        }
        let mean = io.scratch[1], r = io.scratch[2]
        for row in rows {
            let x = io.input + row * n, y = io.output + row * n, xhat = io.scratch[0] + row * n
            for j in 0..<n { xhat[j] = (x[j] - mean[j]) * r[j]; y[j] = xhat[j] * gamma[j] + beta[j] }
        }
    }

    /// Σ ∂L/∂y and Σ ∂L/∂y · x̂ of `features` over all b rows, rows in order.
    func gradientStatistics(_ io: LayerIO, features: Range<Int>, rows b: Int, context: RowContext) {
        guard let dY = io.outputGradient else { return }
        let n = inputWidth, xhat = io.scratch[0], sumDY = io.scratch[3], sumDYX = io.scratch[4]
        for u in features {
            var s = 0.0, sx = 0.0
            for row in 0..<b {
                let g = Double(dY[row * n + u])
                s += g
                sx += g * Double(xhat[row * n + u])
            }
            sumDY[u] = Float(s)
            sumDYX[u] = Float(sx)
        }
    }

    /// ∂L/∂x = weight · r / B · (B · ∂L/∂y − Σ∂L/∂y − x̂ · Σ∂L/∂y·x̂): the batch's mean and
    /// variance depend on every row, which is what the two sums carry back.
    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        let n = inputWidth, gamma = io.parameters + weightOffset, r = io.scratch[2]
        let sumDY = io.scratch[3], sumDYX = io.scratch[4], b = Float(context.batchRows)
        for row in rows {
            let dy = dY + row * n, dx = dX + row * n, xhat = io.scratch[0] + row * n
            for j in 0..<n {
                dx[j] = gamma[j] * r[j] / b * (b * dy[j] - sumDY[j] - xhat[j] * sumDYX[j])
            }
        }
    }

    // MARK: - Phase B

    /// ∂L/∂weight = Σ ∂L/∂y · x̂ and ∂L/∂bias = Σ ∂L/∂y: the sums phase A already reduced.
    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows b: Int, gradients g: UnsafeMutablePointer<Float>) {
        guard io.outputGradient != nil else { return }
        let sumDY = io.scratch[3], sumDYX = io.scratch[4]
        for u in units {
            g[weightOffset + u] = sumDYX[u]
            g[biasOffset + u] = sumDY[u]
        }
    }

    /// The trained tensors only (weight decay leaves them alone, as for LayerNormLayer); the
    /// running statistics are state.
    func parameterRanges(units: Range<Int>) -> UnitRanges {
        UnitRanges(weight: (weightOffset + units.lowerBound)..<(weightOffset + units.upperBound), weightDecays: false,
                   bias: (biasOffset + units.lowerBound)..<(biasOffset + units.upperBound))
    }
}
