/// `conv(C, K, stride=S, pad=P)`, with the activation and dropout that follow it fused in, as
/// PyTorch's `nn.Conv2d`, lowered to GEMM: the patches of each image (`ImageKernels.patches`)
/// are the rows of a dense layer whose weights are the kernels, so the output (positions,
/// channels) is the image channels-last, and forward, backward-data and the weight gradient are
/// `DenseLayer`'s three GEMMs over rows·positions.
///
/// A patch holds each pixel's channels together, (K, K, C_in), so that taking patches is one
/// contiguous copy per pixel; the weights are stored in PyTorch's order (C, C_in, K, K). With
/// more than one input channel the two differ, and the layer runs its GEMMs on a reordered copy:
/// each pass over a tile first reorders the kernels into its worker's buffer (C·Q floats, small
/// next to the tile's patches), and phase B computes ∂W in the patches' order into a staging
/// buffer, then writes its tile of units back in PyTorch's order.
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
///              with C_in > 1: per worker (C, Q) + (C) the reordered kernels and a bias copy;
///                training, fixed: (C, Q) + (C) ∂W and ∂b in that order, for phase B
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
    /// Where the weight (C, Q) and bias (C) sit in the flat buffers.
    let weightOffset: Int
    var biasOffset: Int { weightOffset + window.patchWidth * channels }
    /// Whether the patches' order differs from the stored weights' (C_in > 1 and K > 1); then
    /// `patchDense` reads and writes a reordered copy at offset 0 of a buffer of its own.
    let reorders: Bool

    init(window: Window, channels: Int, activation: Nonlinearity?, dropout: (probability: Float, ordinal: Int)?,
         offset: Int) {
        self.window = window
        self.channels = channels
        weightOffset = offset
        reorders = window.input.channels > 1 && window.kernel > 1
        patchDense = DenseLayer(inputs: window.patchWidth, outputs: channels, activation: activation, dropout: dropout,
                                offset: reorders ? 0 : offset)
        imagesPerPass = max(1, (1 << 18) / (window.positions * window.patchWidth))
    }

    var inputWidth: Int { window.input.count }
    var outputWidth: Int { window.positions * channels }
    private var positions: Int { window.positions }
    private var patchFloats: Int { window.positions * window.patchWidth }

    var parameters: [ParameterTensor] {
        [ParameterTensor(name: "weight", shape: [channels, window.input.channels, window.kernel, window.kernel],
                         offset: weightOffset),
         ParameterTensor(name: "bias", shape: [channels], offset: biasOffset)]
    }
    /// Floats of the reordered copy: weights then biases.
    private var kernelFloats: Int { window.patchWidth * channels + channels }
    var unitCount: Int { channels }

    /// The fused dense layer's per-row buffers, one row per position.
    private var denseRowBuffers: [Int] { patchDense.scratch(training: true).perRow }

    func scratch(training: Bool) -> ScratchNeeds {
        let perWorker = [imagesPerPass * patchFloats] + (reorders ? [kernelFloats] : [])
        guard training else { return ScratchNeeds(perWorker: perWorker) }
        return ScratchNeeds(perRow: [patchFloats] + denseRowBuffers.map { $0 * positions },
                            fixed: reorders ? [kernelFloats] : [], perWorker: perWorker)
    }

    /// The fused dense layer's view of `io` from image `first` on: its input the patches at
    /// `patches`, its rows the images' positions, its ∂L/∂input `patchGradient`, its parameters
    /// `parameters`.
    private func denseIO(_ io: LayerIO, from first: Int, patches: UnsafeMutablePointer<Float>,
                         patchGradient: UnsafeMutablePointer<Float>?, parameters: UnsafeMutablePointer<Float>) -> LayerIO {
        let rows = first * positions
        let kept = io.scratch.count > 1 ? zip(io.scratch.dropFirst(), denseRowBuffers).map { $0 + rows * $1 } : []
        return LayerIO(input: patches, output: io.output + rows * channels,
                       outputGradient: io.outputGradient.map { $0 + rows * channels },
                       inputGradient: patchGradient, scratch: kept, parameters: parameters)
    }

    /// The parameters `patchDense` reads on `worker`: the model's own, or their copy in the
    /// patches' order, made now (the weights change after every step).
    private func kernels(_ io: LayerIO, worker: Int) -> UnsafeMutablePointer<Float> {
        guard reorders else { return io.parameters }
        let copy = io.workerScratch[worker][1], kk = window.kernel * window.kernel
        ImageKernels.reorderKernels(io.parameters + weightOffset, units: 0..<channels, inputs: window.input.channels,
                                    kernelArea: kk, into: copy)
        (copy + window.patchWidth * channels).update(from: io.parameters + biasOffset, count: channels)
        return copy
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
            let buffer = io.workerScratch[context.worker][0], weights = kernels(io, worker: context.worker)
            for first in passes(rows) {
                let end = min(first + imagesPerPass, rows.upperBound)
                for r in first..<end { ImageKernels.patches(io.input + r * n, window, into: buffer + (r - first) * patchFloats) }
                patchDense.forward(denseIO(io, from: first, patches: buffer, patchGradient: nil, parameters: weights),
                                   rows: 0..<((end - first) * positions), context: patchContext(context))
            }
            return
        }
        for r in rows { ImageKernels.patches(io.input + r * n, window, into: kept + r * patchFloats) }
        patchDense.forward(denseIO(io, from: 0, patches: kept, patchGradient: nil, parameters: kernels(io, worker: context.worker)),
                           rows: (rows.lowerBound * positions)..<(rows.upperBound * positions), context: patchContext(context))
    }

    func backward(_ io: LayerIO, rows: Range<Int>, context: RowContext) {
        guard io.outputGradient != nil, let kept = io.scratch.first else { return }
        guard let dX = io.inputGradient else {
            // The first trained layer: only ∂L/∂Z, in place, for phase B.
            patchDense.backward(denseIO(io, from: 0, patches: kept, patchGradient: nil, parameters: io.parameters),
                                rows: (rows.lowerBound * positions)..<(rows.upperBound * positions), context: context)
            return
        }
        let buffer = io.workerScratch[context.worker][0], weights = kernels(io, worker: context.worker)
        for first in passes(rows) {
            let end = min(first + imagesPerPass, rows.upperBound)
            patchDense.backward(denseIO(io, from: first, patches: kept + first * patchFloats, patchGradient: buffer,
                                        parameters: weights),
                                rows: 0..<((end - first) * positions), context: context)
            for r in first..<end {
                ImageKernels.addPatches(buffer + (r - first) * patchFloats, window, into: dX + r * inputWidth)
            }
        }
    }

    // MARK: - Phase B

    func parameterGradient(_ io: LayerIO, units: Range<Int>, rows b: Int, gradients: UnsafeMutablePointer<Float>) {
        guard let kept = io.scratch.first else { return }
        let view = denseIO(io, from: 0, patches: kept, patchGradient: nil, parameters: io.parameters)
        guard reorders, let staging = io.scratch.last else {
            patchDense.parameterGradient(view, units: units, rows: b * positions, gradients: gradients)
            return
        }
        // Units' rows of the staging buffer are this tile's alone, so tiles never share a float.
        patchDense.parameterGradient(view, units: units, rows: b * positions, gradients: staging)
        ImageKernels.reorderKernels(staging, units: units, inputs: window.input.channels,
                                    kernelArea: window.kernel * window.kernel, inverse: true, into: gradients + weightOffset)
        (gradients + biasOffset + units.lowerBound).update(from: staging + window.patchWidth * channels + units.lowerBound,
                                                           count: units.count)
    }

    func parameterRanges(units: Range<Int>) -> UnitRanges {
        let q = window.patchWidth
        return UnitRanges(weight: (weightOffset + units.lowerBound * q)..<(weightOffset + units.upperBound * q),
                          weightDecays: true, bias: (biasOffset + units.lowerBound)..<(biasOffset + units.upperBound))
    }
}
