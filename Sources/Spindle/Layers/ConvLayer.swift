/// `conv(C, K, stride=S, pad=P)`, with the activation and dropout that follow it fused in, as
/// PyTorch's `nn.Conv2d`, lowered to GEMM: the patches of each image (`ImageKernels.patches`)
/// are the rows of a dense layer whose weights are the kernels, so the output (positions,
/// channels) is the image channels-last, and forward, backward-data and the weight gradient are
/// `DenseLayer`'s three GEMMs over rows·positions.
///
/// Letters (Layer.swift): B, R images; P output positions Ho·Wo; Q = C_in·K² values of a
/// patch; C output channels (the units phase B cuts the layer into).
///
///     weight  (C, C_in, K, K) = (C, Q) row-major, PyTorch's `Conv2d.weight`
///     bias    (C)
///     scratch, training: (B, P·Q) the patches, kept from forward for phase B's
///                ∂L/∂W (C, Q) = ∂L/∂Zᵀ (C, B·P) · patches (B·P, Q); then the fused dense's
///                per-row buffers (masks, pre-activations), P rows of them per image;
///                per worker: (n·P, Q) ∂L/∂patches of n images at a time, from which their
///                ∂L/∂x is summed back (`ImageKernels.addPatches`)
///              evaluation: per worker (n·P, Q) the patches of n images at a time
///
/// Memory: 4·B·P·Q bytes kept for training (conv(64,3) on (32, 14, 14), batch 128: 29 MB),
/// plus 4·n·P·Q per worker, n = `imagesPerPass` (about 1 MiB).
final class ConvLayer: Layer, @unchecked Sendable {
    let window: Window
    let channels: Int
    /// Z (R·P, C) = patches (R·P, Q) · Wᵀ, with the fused activation and dropout.
    let patchDense: DenseLayer
    /// Images whose patches one worker holds at a time, outside training's kept patches: as
    /// many as fit in 2¹⁸ floats (1 MiB), at least one. Fixed by the shapes alone, so every
    /// worker count makes the same GEMM calls.
    let imagesPerPass: Int

    init(window: Window, channels: Int, activation: Nonlinearity?, dropout: (probability: Float, ordinal: Int)?,
         offset: Int) {
        self.window = window
        self.channels = channels
        patchDense = DenseLayer(inputs: window.patchWidth, outputs: channels, activation: activation, dropout: dropout,
                                offset: offset)
        imagesPerPass = max(1, (1 << 18) / (window.positions * window.patchWidth))
    }

    var inputWidth: Int { window.input.count }
    var outputWidth: Int { window.positions * channels }
    private var positions: Int { window.positions }
    private var patchFloats: Int { window.positions * window.patchWidth }

    var parameters: [ParameterTensor] {
        let dense = patchDense.parameters
        return [ParameterTensor(name: "weight", shape: [channels, window.input.channels, window.kernel, window.kernel],
                                offset: dense[0].offset),
                dense[1]]
    }
    var unitCount: Int { channels }

    /// The fused dense layer's per-row buffers, one row per position.
    private var denseRowBuffers: [Int] { patchDense.scratch(training: true).perRow }

    func scratch(training: Bool) -> ScratchNeeds {
        let pass = imagesPerPass * patchFloats
        guard training else { return ScratchNeeds(perWorker: [pass]) }
        return ScratchNeeds(perRow: [patchFloats] + denseRowBuffers.map { $0 * positions }, perWorker: [pass])
    }

    /// The fused dense layer's view of `io` from image `first` on: its input the patches at
    /// `patches`, its rows the images' positions, its ∂L/∂input `patchGradient`.
    private func denseIO(_ io: LayerIO, from first: Int, patches: UnsafeMutablePointer<Float>,
                         patchGradient: UnsafeMutablePointer<Float>?) -> LayerIO {
        let rows = first * positions
        let kept = io.scratch.count > 1 ? zip(io.scratch.dropFirst(), denseRowBuffers).map { $0 + rows * $1 } : []
        return LayerIO(input: patches, output: io.output + rows * channels,
                       outputGradient: io.outputGradient.map { $0 + rows * channels },
                       inputGradient: patchGradient, scratch: kept, parameters: io.parameters)
    }

    /// The dense layer's context: its rows are positions, so a dropout draw is keyed by the
    /// global (image, position).
    private func patchContext(_ context: RowContext) -> RowContext {
        var patch = context
        patch.rowOffset = context.rowOffset * positions
        return patch
    }

    /// `images` cut into runs of `imagesPerPass`, in order.
    private func passes(_ images: Range<Int>) -> StrideTo<Int> {
        stride(from: images.lowerBound, to: images.upperBound, by: imagesPerPass)
    }

    // MARK: - Phase A

    func forward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        let n = inputWidth
        guard context.training, let kept = io.scratch.first else {
            // Evaluation: a few images' patches at a time in this worker's buffer.
            let buffer = io.workerScratch[context.worker][0]
            for first in passes(rows) {
                let end = min(first + imagesPerPass, rows.upperBound)
                for r in first..<end { ImageKernels.patches(io.input + r * n, window, into: buffer + (r - first) * patchFloats) }
                patchDense.forward(denseIO(io, from: first, patches: buffer, patchGradient: nil),
                                   rows: 0..<((end - first) * positions), context: patchContext(context))
            }
            return
        }
        for r in rows { ImageKernels.patches(io.input + r * n, window, into: kept + r * patchFloats) }
        patchDense.forward(denseIO(io, from: 0, patches: kept, patchGradient: nil),
                           rows: (rows.lowerBound * positions)..<(rows.upperBound * positions), context: patchContext(context))
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard io.outputGradient != nil, let kept = io.scratch.first else { return }
        guard let dX = io.inputGradient else {
            // The first trained layer: only ∂L/∂Z, in place, for phase B.
            patchDense.backward(denseIO(io, from: 0, patches: kept, patchGradient: nil),
                                rows: (rows.lowerBound * positions)..<(rows.upperBound * positions), context: context)
            return
        }
        let buffer = io.workerScratch[context.worker][0]
        for first in passes(rows) {
            let end = min(first + imagesPerPass, rows.upperBound)
            patchDense.backward(denseIO(io, from: first, patches: kept + first * patchFloats, patchGradient: buffer),
                                rows: 0..<((end - first) * positions), context: context)
            for r in first..<end {
                ImageKernels.addPatches(buffer + (r - first) * patchFloats, window, into: dX + r * inputWidth)
            }
        }
    }

    // MARK: - Phase B

    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows b: Int, gradients: UnsafeMutablePointer<Float>) {
        guard let kept = io.scratch.first else { return }
        patchDense.parameterGradient(denseIO(io, from: 0, patches: kept, patchGradient: nil), units: units,
                                     rows: b * positions, gradients: gradients)
    }

    func parameterRanges(units: Range<Int>) -> UnitRanges { patchDense.parameterRanges(units: units) }
}
