import Foundation

/// `batchnorm`: PyTorch's `nn.BatchNorm1d(C)` over vectors, and `nn.BatchNorm2d(C)` over images
/// stored channels-last. Training normalises each channel over every row of the batch and every
/// position of the row, y = (x − μ) / √(σ² + ε) · weight + bias with that channel's mean μ and
/// biased variance σ² over the N = B·P values, ε = 1e-5, and moves the running statistics by
/// momentum 0.1 (the running variance takes the unbiased σ² · N/(N − 1)); evaluation uses the
/// running statistics instead, which makes it row-local.
///
/// The batch statistics are a reduction across rows, so the layer sets `needsRowStatistics`:
/// the engine finishes every row tile before it, then runs its `.forward` statistics pass over
/// tiles of channels, never of rows, so any worker count gives the same bits: round 0 sums each
/// channel over the rows and positions, in (row, position) order, in Double; round 1 sums the
/// squared deviations from the mean that round 0 gave (two passes: a channel with a large mean
/// loses no digits of its variance, as E[x²] − μ² would). Across ranks, each round's sums are
/// added up over the ranks before the next (SyncBatchNorm's statistics: the global batch's),
/// and every rank moves the running statistics by the same global values. Before the backward,
/// the `.backward` pass sums ∂L/∂y and ∂L/∂y · x̂ in one round; the global sums give ∂L/∂x,
/// this process's share of them are its parameters' gradients (which the ranks' gradient
/// allreduce then adds up like every other). The loops are `NormKernels`' (vectorised; each
/// channel's sums in the plain loop's order).
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
///     scratch, training only: (B, P·C) x̂; fixed: (C) each μ, r = 1/√(σ² + ε), Σ∂L/∂y and
///                             Σ∂L/∂y·x̂ over the global batch, k = weight · r / N, the two sums
///                             over this process's rows; Doubles: (3C) Σx, Σ(x − μ)², μ and
///                             (2C) Σ∂L/∂y, Σ∂L/∂y·x̂
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
        return training ? ScratchNeeds(perRow: [inputWidth], fixed: [c, c, c, c, c, c, c, 2 * 3 * c, 2 * 2 * c]) : ScratchNeeds()
    }

    /// The training scratch by name.
    private struct Kept {
        var xhat, mean, r: UnsafeMutablePointer<Float>
        /// Σ∂L/∂y and Σ∂L/∂y·x̂ per channel over the global batch, and k = weight · r / N (for
        /// ∂L/∂x); the two sums over this process's rows (its share of ∂L/∂bias and ∂L/∂weight).
        var sumDY, sumDYX, k, shareDY, shareDYX: UnsafeMutablePointer<Float>
        /// (3C) Σx, Σ(x − μ)², μ; (2C) Σ∂L/∂y, Σ∂L/∂y·x̂: the rounds' sums.
        var forwardSums, backwardSums: UnsafeMutablePointer<Double>

        init(_ io: LayerIO, channels c: Int) {
            let s = io.scratch
            (xhat, mean, r, sumDY, sumDYX, k, shareDY, shareDYX) = (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
            // These two buffers are only ever used as Doubles, so binding them to Double
            // (memory nothing else reads as Float) is sound and costs nothing.
            forwardSums = UnsafeMutableRawPointer(s[8]).bindMemory(to: Double.self, capacity: 3 * c)
            backwardSums = UnsafeMutableRawPointer(s[9]).bindMemory(to: Double.self, capacity: 2 * c)
        }
    }

    var needsRowStatistics: Bool { true }
    var statisticsUnits: Int { channels }

    /// The values each channel's statistics run over: rows × positions of the global batch.
    private func valueCount(_ context: RowContext) -> Int { context.batchRows * positions }

    // MARK: - Phase A

    /// Forward: Σx, then Σ(x − μ)² about the global mean. Backward: Σ∂L/∂y and Σ∂L/∂y·x̂ at once.
    func statisticsRounds(_ pass: StatisticsPass) -> Int { pass == .forward ? 2 : 1 }

    func accumulateStatistics(_ pass: StatisticsPass, round: Int, _ io: LayerIO, features: Range<Int>, rows b: Int,
                              context: RowContext) {
        let kept = Kept(io, channels: channels), c = channels
        switch (pass, round) {
        case (.forward, 0):
            let n = valueCount(context)
            precondition(n > 1, "BatchNormLayer: \(n) value per channel in a training batch has no variance")
            NormKernels.columnSums(io.input, rows: b * positions, stride: c, columns: features, deviationsFrom: nil,
                                   into: kept.forwardSums)
        case (.forward, _):
            let sum = kept.forwardSums, mu = kept.forwardSums + 2 * c, n = Double(valueCount(context))
            for u in features { mu[u] = sum[u] / n }
            NormKernels.columnSums(io.input, rows: b * positions, stride: c, columns: features, deviationsFrom: mu,
                                   into: kept.forwardSums + c)
        case (.backward, _):
            guard let dY = io.outputGradient else { return }
            let s = kept.backwardSums, sx = kept.backwardSums + c
            NormKernels.columnGradientSums(dY, kept.xhat, rows: b * positions, stride: c, columns: features,
                                           sums: s, products: sx)
            for u in features { kept.shareDY[u] = Float(s[u]); kept.shareDYX[u] = Float(sx[u]) }
        }
    }

    func statisticsSums(_ pass: StatisticsPass, round: Int, _ io: LayerIO) -> UnsafeMutableBufferPointer<Double> {
        let kept = Kept(io, channels: channels)
        return pass == .forward ? UnsafeMutableBufferPointer(start: kept.forwardSums + round * channels, count: channels)
            : UnsafeMutableBufferPointer(start: kept.backwardSums, count: 2 * channels)
    }

    /// Forward: μ, r = 1/√(σ² + ε) with the biased σ², and the running statistics' step with
    /// the unbiased one. Backward: the global sums as the Floats ∂L/∂x uses.
    func finishStatistics(_ pass: StatisticsPass, _ io: LayerIO, features: Range<Int>, context: RowContext) {
        let kept = Kept(io, channels: channels), c = channels, n = Double(valueCount(context))
        switch pass {
        case .forward:
            let squares = kept.forwardSums + c, mu = kept.forwardSums + 2 * c
            let runningMean = io.parameters + meanOffset, runningVariance = io.parameters + varianceOffset
            let m = Self.momentum
            for u in features {
                kept.mean[u] = Float(mu[u])
                kept.r[u] = Float(1 / (squares[u] / n + Self.epsilon).squareRoot())
                runningMean[u] = (1 - m) * runningMean[u] + m * Float(mu[u])
                runningVariance[u] = (1 - m) * runningVariance[u] + m * Float(squares[u] / (n - 1))
            }
        case .backward:
            let gamma = io.parameters + weightOffset, count = Float(n)
            for u in features {
                kept.sumDY[u] = Float(kept.backwardSums[u])
                kept.sumDYX[u] = Float(kept.backwardSums[c + u])
                kept.k[u] = gamma[u] * kept.r[u] / count
            }
        }
    }

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let c = channels, gamma = io.parameters + weightOffset, beta = io.parameters + biasOffset
        let values = rows.lowerBound * positions..<rows.upperBound * positions
        guard context.training, !io.scratch.isEmpty else {
            evaluationForward(io, values: values, gamma: gamma, beta: beta)
            return
        }
        let kept = Kept(io, channels: c)
        for v in values {
            NormKernels.normalizeChannels(io.input + v * c, mean: kept.mean, r: kept.r, gamma: gamma, beta: beta,
                                          xhat: kept.xhat + v * c, y: io.output + v * c, count: c)
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

    /// ∂L/∂x = weight · r / N · (N · ∂L/∂y − Σ∂L/∂y − x̂ · Σ∂L/∂y·x̂): the batch's mean and
    /// variance depend on every value of the channel, which is what the two sums carry back.
    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient, let dX = io.inputGradient else { return }
        let c = channels, kept = Kept(io, channels: c), n = Float(valueCount(context))
        for v in rows.lowerBound * positions..<rows.upperBound * positions {
            NormKernels.batchNormBackwardRow(dY + v * c, xhat: kept.xhat + v * c, k: kept.k, count: n, sumDY: kept.sumDY,
                                             sumDYX: kept.sumDYX, dx: dX + v * c, width: c)
        }
    }

    // MARK: - Phase B

    /// ∂L/∂weight = Σ ∂L/∂y · x̂ and ∂L/∂bias = Σ ∂L/∂y over this process's rows: sums phase A
    /// already took.
    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows b: Int, gradients g: UnsafeMutablePointer<Float>) {
        guard io.outputGradient != nil else { return }
        let kept = Kept(io, channels: channels)
        for u in units {
            g[weightOffset + u] = kept.shareDYX[u]
            g[biasOffset + u] = kept.shareDY[u]
        }
    }

    /// The trained tensors only (weight decay leaves them alone, as for LayerNormLayer); the
    /// running statistics are state.
    func parameterRanges(units: Range<Int>) -> UnitRanges {
        UnitRanges(weight: (weightOffset + units.lowerBound)..<(weightOffset + units.upperBound), weightDecays: false,
                   bias: (biasOffset + units.lowerBound)..<(biasOffset + units.upperBound))
    }
}
