/// `dense(O)`, with the activation and dropout that follow it fused into the same pass over a
/// tile (fusion changes no sum and no order: these are exactly the operations of the unfused
/// layers, done while the tile is in cache).
///
/// Letters (Layer.swift): B, R rows; I inputs; O units. Z = X · Wᵀ + b, A = f(Z), Y = A ⊙ mask.
///
///     weight  (O, I) row-major at `weightOffset`, PyTorch's `nn.Linear.weight`
///     bias    (O) at `biasOffset`
///     scratch, training only: with dropout (B, O) A before dropout and (B, O) the mask (otherwise
///                Y = A lives in the output buffer itself); then, when f' needs it (GELU, SiLU),
///                (B, O) Z + b, the pre-activation
final class DenseLayer: Layer, @unchecked Sendable {
    let inputWidth: Int
    let outputWidth: Int
    let activation: Nonlinearity?
    /// The fused dropout's probability and its ordinal among the model's dropout layers (which
    /// keys its draws).
    let dropout: (probability: Float, ordinal: Int)?
    let weightOffset: Int
    var biasOffset: Int { weightOffset + inputWidth * outputWidth }

    init(inputs: Int, outputs: Int, activation: Nonlinearity?, dropout: (probability: Float, ordinal: Int)?,
         offset: Int) {
        precondition(dropout == nil || activation != nil, "DenseLayer: dropout is fused only after an activation")
        inputWidth = inputs
        outputWidth = outputs
        self.activation = activation
        self.dropout = dropout
        weightOffset = offset
    }

    var parameters: [ParameterTensor] {
        [ParameterTensor(name: "weight", shape: [outputWidth, inputWidth], offset: weightOffset),
         ParameterTensor(name: "bias", shape: [outputWidth], offset: biasOffset)]
    }
    var unitCount: Int { outputWidth }

    /// Whether training keeps the pre-activation for the backward pass.
    private var keepsPreActivation: Bool { activation?.needsInput ?? false }

    func scratch(training: Bool) -> ScratchNeeds {
        guard training else { return ScratchNeeds() }
        return ScratchNeeds(perRow: (dropout != nil ? [outputWidth, outputWidth] : [])
                                + (keepsPreActivation ? [outputWidth] : []))
    }

    /// (B, O) each: where A = f(Z) is, before dropout; the mask; the kept pre-activation. An
    /// evaluation workspace has no scratch: A is the output, and nothing is kept.
    private func buffers(_ io: LayerIO) -> (a: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>?,
                                            z: UnsafeMutablePointer<Float>?) {
        guard !io.scratch.isEmpty else { return (io.output, nil, nil) }
        let z = keepsPreActivation ? io.scratch[io.scratch.count - 1] : nil
        return dropout == nil ? (io.output, nil, z) : (io.scratch[0], io.scratch[1], z)
    }

    // MARK: - Phase A

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let r0 = rows.lowerBound, count = rows.count, nIn = inputWidth, nOut = outputWidth
        let kept = buffers(io)
        let a = kept.a + r0 * nOut
        // Z (R, O) = X (R, I) · Wᵀ;  W is (O, I) row-major.
        BLAS.sgemm(.none, .transposed, m: count, n: nOut, k: nIn,
                   a: io.input + r0 * nIn, lda: nIn, b: io.parameters + weightOffset, ldb: nIn,
                   c: a, ldc: nOut)
        guard let activation else {
            DenseKernels.addBias(a, rows: count, units: nOut, bias: io.parameters + biasOffset)
            return
        }
        let draw = kept.mask == nil ? nil : dropout.map {
            DenseKernels.DropoutDraw(probability: $0.probability, seed: context.seed, step: context.step,
                                     layer: $0.ordinal, rowOffset: context.rowOffset)
        }
        DenseKernels.biasActivation(
            a, rows: count, units: nOut, bias: io.parameters + biasOffset, function: activation,
            preActivations: kept.z.map { $0 + r0 * nOut },
            dropout: draw, firstRow: r0, next: draw == nil ? nil : io.output + r0 * nOut,
            mask: kept.mask.map { $0 + r0 * nOut })
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard let dY = io.outputGradient else { return }
        let r0 = rows.lowerBound, count = rows.count, nIn = inputWidth, nOut = outputWidth
        // ∂L/∂Y → ∂L/∂Z in place (· mask · f'(A)): phase B reads ∂L/∂Z.
        if let activation {
            let kept = buffers(io)
            DenseKernels.activationBackward(
                dY + r0 * nOut, rows: count, units: nOut, activations: kept.a + r0 * nOut,
                preActivations: kept.z.map { UnsafePointer($0 + r0 * nOut) },
                function: activation, mask: kept.mask.map { UnsafePointer($0 + r0 * nOut) })
        }
        // ∂L/∂X (R, I) = ∂L/∂Z (R, O) · W (O, I).
        guard let dX = io.inputGradient else { return }
        BLAS.sgemm(.none, .none, m: count, n: nIn, k: nOut,
                   a: dY + r0 * nOut, lda: nOut, b: io.parameters + weightOffset, ldb: nIn,
                   c: dX + r0 * nIn, ldc: nIn)
    }

    // MARK: - Phase B

    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows b: Int, gradients g: UnsafeMutablePointer<Float>) {
        guard let dZ = io.outputGradient else { return }
        let nIn = inputWidth, nOut = outputWidth
        // dW[u0..<u1, :] (U, I) = ∂L/∂Z[:, u0..<u1]ᵀ (U, B) · X (B, I): one GEMM with K = B, never
        // split over rows, so the sum over the batch has one order whoever computes it.
        BLAS.sgemm(.transposed, .none, m: units.count, n: nIn, k: b,
                   a: dZ + units.lowerBound, lda: nOut, b: io.input, ldb: nIn,
                   c: g + weightOffset + units.lowerBound * nIn, ldc: nIn)
        DenseKernels.biasGradient(dZ, rows: b, units: nOut, range: units, into: g + biasOffset)
    }

    func parameterRanges(units: Range<Int>) -> UnitRanges {
        UnitRanges(weight: (weightOffset + units.lowerBound * inputWidth)..<(weightOffset + units.upperBound * inputWidth),
                   weightDecays: true, bias: (biasOffset + units.lowerBound)..<(biasOffset + units.upperBound))
    }
}
