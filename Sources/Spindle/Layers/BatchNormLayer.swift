import Foundation

/// `batchnorm`: PyTorch's `nn.BatchNorm1d(C)` over vectors, and `nn.BatchNorm2d(C)` over images
/// stored channels-last. Training normalises each channel over every row of the batch and every
/// position of the row, y = (x − μ) / √(σ² + ε) · weight + bias with that channel's mean μ and
/// biased variance σ² over the N = B·P values, ε = 1e-5, and moves the running statistics by
/// momentum 0.1 (the running variance takes the unbiased σ² · N/(N − 1)); evaluation uses the
/// running statistics instead, which makes it row-local.
///
/// The batch statistics are a reduction across rows, so the layer sets `needsRowStatistics`:
/// the engine finishes every row tile before it, then `rowStatistics` sums each channel over
/// all B rows and P positions in (row, position) order (tiles of channels, never of rows: any
/// worker count gives the same bits), and before the backward `gradientStatistics` does the same
/// for Σ ∂L/∂y and Σ ∂L/∂y · x̂, which are also the parameters' gradients.
///
/// Letters (Layer.swift): B, R rows; C channels; P positions per row (an image's H·W; 1 for a
/// vector); I = O = P·C. A row is position-major, channel-minor: element (p, c) at p·C + c
/// (NHWC), so a pass over a row tile reads memory in order and a channel tile is contiguous in
/// every position.
///
///     weight (C), bias (C)          trained (start at 1 and 0)
///     running_mean (C), running_var (C)  state, not trained: in the flat parameter buffer so that
///                                   checkpoints and model files carry them, but outside
///                                   `parameterRanges`, so no optimizer or weight decay touches
///                                   them (and their gradient stays 0)
///     scratch, training only: (B, P·C) x̂; fixed: (C) each μ, r = 1/√(σ² + ε), Σ∂L/∂y, Σ∂L/∂y·x̂;
///                             (3C) Doubles Σx, Σ(x − μ)², μ; (2C) Doubles Σ∂L/∂y, Σ∂L/∂y·x̂
final class BatchNormLayer: Layer, @unchecked Sendable {
    static let epsilon = 1e-5
    static let momentum: Float = 0.1
    /// C: the features normalised one by one, and the length of each parameter tensor.
    let channels: Int
    /// P: the values of each channel in one row.
    let positions: Int
    var inputWidth: Int { channels * positions }
    var outputWidth: Int { inputWidth }
    let offset: Int

    /// Normalises C channels of P positions each, a row being P·C floats with element (p, c) at
    /// p·C + c (channels-last); parameters and running statistics are per channel, 4·C floats
    /// at `offset` in the order weight, bias, running_mean, running_var.
    init(channels: Int, positions: Int, offset: Int) {
        precondition(channels > 0 && positions > 0, "BatchNormLayer: \(channels) channels of \(positions) positions")
        self.channels = channels
        self.positions = positions
        self.offset = offset
    }

    /// `nn.BatchNorm1d(width)`: every feature its own channel, one position a row.
    convenience init(width: Int, offset: Int) {
        self.init(channels: width, positions: 1, offset: offset)
    }

    var parameters: [ParameterTensor] {
        ["weight", "bias", "running_mean", "running_var"].enumerated().map {
            ParameterTensor(name: $0.element, shape: [channels], offset: offset + $0.offset * channels)
        }
    }
    private var weightOffset: Int { offset }
    private var biasOffset: Int { offset + channels }
    private var meanOffset: Int { offset + 2 * channels }
    private var varianceOffset: Int { offset + 3 * channels }
    var unitCount: Int { channels }

    func scratch(training: Bool) -> ScratchNeeds {
        let c = channels
        // The Double sums take two Floats each (the workspace's fixed buffers are 64-byte aligned).
        return training ? ScratchNeeds(perRow: [inputWidth], fixed: [c, c, c, c, 2 * 3 * c, 2 * 2 * c]) : ScratchNeeds()
    }

    /// The training scratch by name.
    private struct Kept {
        var xhat, mean, r, sumDY, sumDYX: UnsafeMutablePointer<Float>
        /// (3C) Σx, Σ(x − μ)², μ over this process's rows; (2C) Σ∂L/∂y, Σ∂L/∂y·x̂.
        var forwardSums, gradientSums: UnsafeMutablePointer<Double>

        init(_ io: LayerIO, channels c: Int) {
            let s = io.scratch
            (xhat, mean, r, sumDY, sumDYX) = (s[0], s[1], s[2], s[3], s[4])
            // These two buffers are only ever used as Doubles, so binding them once to Double
            // (rebinding memory nothing else reads as Float) is sound and costs nothing.
            forwardSums = UnsafeMutableRawPointer(s[5]).bindMemory(to: Double.self, capacity: 3 * c)
            gradientSums = UnsafeMutableRawPointer(s[6]).bindMemory(to: Double.self, capacity: 2 * c)
        }
    }

    var needsRowStatistics: Bool { true }
    var statisticsUnits: Int { channels }

    /// The values each channel's statistics run over: rows × positions of the global batch.
    private func valueCount(_ context: RowContext) -> Int { context.batchRows * positions }

    // MARK: - Phase A

    /// μ, r of `features` (channels) over all b rows, and the running statistics' step.
    func rowStatistics(_ io: LayerIO, features: Range<Int>, rows b: Int, context: RowContext) {
        let n = valueCount(context)
        precondition(n > 1, "BatchNormLayer: \(n) value per channel in a training batch has no variance")
        let kept = Kept(io, channels: channels), c = channels
        let sum = kept.forwardSums, squares = kept.forwardSums + c, mu = kept.forwardSums + 2 * c
        // Two passes in Double, values in (row, position) order: the mean, then the squared
        // deviations from it, so a channel with a large mean loses no digits of its variance.
        sumOverValues(io.input, rows: b, features: features, into: sum) { x, _ in x }
        for u in features { mu[u] = sum[u] / Double(n) }
        sumOverValues(io.input, rows: b, features: features, into: squares) { x, u in let d = x - mu[u]; return d * d }
        let runningMean = io.parameters + meanOffset, runningVariance = io.parameters + varianceOffset
        let m = Self.momentum
        for u in features {
            kept.mean[u] = Float(mu[u])
            kept.r[u] = Float(1 / (squares[u] / Double(n) + Self.epsilon).squareRoot())
            runningMean[u] = (1 - m) * runningMean[u] + m * Float(mu[u])
            runningVariance[u] = (1 - m) * runningVariance[u] + m * Float(squares[u] / Double(n - 1))
        }
    }

    /// sums[u] = Σ term(Double(values[row, p, u]), u) over rows 0..<b and positions 0..<P, in that
    /// order, for each channel u of `features`. The pass reads the (B, P·C) buffer in memory
    /// order, a channel tile at a time, whatever the tile: each channel's additions happen in the
    /// same order for any cut of the channels.
    @inline(__always)
    private func sumOverValues(_ values: UnsafePointer<Float>, rows b: Int, features: Range<Int>,
                               into sums: UnsafeMutablePointer<Double>, _ term: (Double, Int) -> Double) {
        let c = channels
        for u in features { sums[u] = 0 }
        for v in 0..<(b * positions) {
            let at = values + v * c
            for u in features { sums[u] += term(Double(at[u]), u) }
        }
    }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let c = channels, gamma = io.parameters + weightOffset, beta = io.parameters + biasOffset
        let values = rows.lowerBound * positions..<rows.upperBound * positions
        guard context.training, !io.scratch.isEmpty else {
            evaluationForward(io, values: values, gamma: gamma, beta: beta)
            return
        }
        let kept = Kept(io, channels: c), mean = kept.mean, r = kept.r
        for v in values {
            let x = io.input + v * c, y = io.output + v * c, xhat = kept.xhat + v * c
            for j in 0..<c { xhat[j] = (x[j] - mean[j]) * r[j]; y[j] = xhat[j] * gamma[j] + beta[j] }
        }
    }

    /// y = (x − running_mean) · r · weight + bias with r = 1/√(running_var + ε), r worked out in
    /// Double once per channel and tile (on the stack, 256 channels at a time: no allocation).
    private func evaluationForward(_ io: LayerIO, values: Range<Int>, gamma: UnsafeMutablePointer<Float>,
                                   beta: UnsafeMutablePointer<Float>) {
        let c = channels, mean = io.parameters + meanOffset, variance = io.parameters + varianceOffset
        let chunk = 256
        withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { r in
            for start in stride(from: 0, to: c, by: chunk) {
                let end = min(start + chunk, c)
                for j in start..<end { r[j - start] = Float(1 / (Double(variance[j]) + Self.epsilon).squareRoot()) }
                for v in values {
                    let x = io.input + v * c, y = io.output + v * c
                    for j in start..<end { y[j] = (x[j] - mean[j]) * r[j - start] * gamma[j] + beta[j] }
                }
            }
        }
    }

    /// Σ ∂L/∂y and Σ ∂L/∂y · x̂ of `features` over all b rows and P positions, in order.
    func gradientStatistics(_ io: LayerIO, features: Range<Int>, rows b: Int, context: RowContext) {
        guard let dY = io.outputGradient else { return }
        let kept = Kept(io, channels: channels), c = channels
        let s = kept.gradientSums, sx = kept.gradientSums + c, xhat = kept.xhat
        for u in features { s[u] = 0; sx[u] = 0 }
        for v in 0..<(b * positions) {
            let g = dY + v * c, h = xhat + v * c
            for u in features {
                let gu = Double(g[u])
                s[u] += gu
                sx[u] += gu * Double(h[u])
            }
        }
        for u in features {
            kept.sumDY[u] = Float(s[u])
            kept.sumDYX[u] = Float(sx[u])
        }
    }

    /// ∂L/∂x = weight · r / N · (N · ∂L/∂y − Σ∂L/∂y − x̂ · Σ∂L/∂y·x̂): the batch's mean and
    /// variance depend on every value of the channel, which is what the two sums carry back.
    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        let c = channels, gamma = io.parameters + weightOffset, kept = Kept(io, channels: c)
        let r = kept.r, sumDY = kept.sumDY, sumDYX = kept.sumDYX, n = Float(valueCount(context))
        for v in rows.lowerBound * positions..<rows.upperBound * positions {
            let dy = dY + v * c, dx = dX + v * c, xhat = kept.xhat + v * c
            for j in 0..<c {
                dx[j] = gamma[j] * r[j] / n * (n * dy[j] - sumDY[j] - xhat[j] * sumDYX[j])
            }
        }
    }

    // MARK: - Phase B

    /// ∂L/∂weight = Σ ∂L/∂y · x̂ and ∂L/∂bias = Σ ∂L/∂y: the sums phase A already reduced.
    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows b: Int, gradients g: UnsafeMutablePointer<Float>) {
        guard io.outputGradient != nil else { return }
        let kept = Kept(io, channels: channels)
        for u in units {
            g[weightOffset + u] = kept.sumDYX[u]
            g[biasOffset + u] = kept.sumDY[u]
        }
    }

    /// The trained tensors only (weight decay leaves them alone, as for LayerNormLayer); the
    /// running statistics are state.
    func parameterRanges(units: Range<Int>) -> UnitRanges {
        UnitRanges(weight: (weightOffset + units.lowerBound)..<(weightOffset + units.upperBound), weightDecays: false,
                   bias: (biasOffset + units.lowerBound)..<(biasOffset + units.upperBound))
    }
}
