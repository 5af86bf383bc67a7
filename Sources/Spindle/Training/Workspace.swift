/// The per-row buffers of a forward and backward pass over up to `capacity` rows, allocated once
/// and reused every step (nothing is allocated inside a step).
///
/// For layer l of the plan (0-based), I_l and O_l its widths:
///   batchInput      (B, F)    the gathered batch, what layer 0 reads
///   outputs[l]      (B, O_l)  its output, what layer l+1 reads (the input's own buffer for a
///                             layer whose output is its input: `Layer.outputIsInput`)
///   gradients[l]    (B, O_l)  ∂(batch loss)/∂outputs[l], overwritten by the layer's backward
///                             (a dense layer leaves ∂L/∂Z there for phase B); training only,
///                             and only for layers from the first with parameters on
///   scratch[l]      what the layer asked for (`ScratchNeeds`): e.g. dropout masks, and buffers
///                   for each worker (a convolution's patches of a few images)
///   io[l].linked    another layer's buffer it reads (`LayerLink`): a residual block's ends
final class Workspace: @unchecked Sendable {
    let capacity: Int
    let batchInput: FloatBuffer
    let outputs: [FloatBuffer]
    let gradients: [FloatBuffer?]
    let scratch: [[FloatBuffer]]
    /// [layer][worker]: each worker's buffers of `ScratchNeeds.perWorker`.
    let workerScratch: [[[FloatBuffer]]]
    /// Each layer's buffers as the layer sees them.
    let io: [LayerIO]
    /// (B) class labels of the batch rows, for cross-entropy.
    let labels: UnsafeMutablePointer<Int32>
    /// (B, T) float targets, for MSE.
    let targets: FloatBuffer
    /// (B) each row's loss, summed in row order afterwards.
    let rowLoss: FloatBuffer
    /// (B) argmax of each row's outputs.
    let predicted: UnsafeMutablePointer<Int32>

    /// - Parameters:
    ///   - training: with gradients and training-only scratch (dropout masks).
    ///   - workers: how many workers run passes over it at once.
    init(network: Network, capacity: Int, training: Bool, workers: Int) {
        let plan = network.plan
        self.capacity = capacity
        let batchInput = FloatBuffer(count: capacity * network.spec.inputCount)
        // A layer whose output is its input (a residual fork) shares its input's buffer.
        var outputs: [FloatBuffer] = []
        for (l, layer) in plan.layers.enumerated() {
            outputs.append(layer.outputIsInput ? (l == 0 ? batchInput : outputs[l - 1])
                                               : FloatBuffer(count: capacity * layer.outputWidth))
        }
        let first = plan.firstTrained
        let gradients = plan.layers.indices.map { l in
            training && l >= first ? FloatBuffer(count: capacity * plan.layers[l].outputWidth) : nil
        }
        let scratch = plan.layers.map { layer in
            let needs = layer.scratch(training: training)
            return needs.perRow.map { FloatBuffer(count: capacity * $0) } + needs.fixed.map { FloatBuffer(count: $0) }
        }
        let workerScratch = plan.layers.map { layer in
            let needs = layer.scratch(training: training).perWorker
            return (0..<workers).map { _ in needs.map { FloatBuffer(count: $0) } }
        }
        io = plan.layers.indices.map { l in
            var linked: UnsafeMutablePointer<Float>? = nil
            switch plan.layers[l].link {
            case let .output(of: k)?: linked = outputs[k].base
            case let .outputGradient(of: k)?: linked = gradients[k]?.base
            case nil: break
            }
            return LayerIO(input: l == 0 ? batchInput.base : outputs[l - 1].base,
                           output: outputs[l].base, outputGradient: gradients[l]?.base,
                           inputGradient: l > first ? gradients[l - 1]?.base : nil,
                           scratch: scratch[l].map(\.base), parameters: network.parameters.base, linked: linked,
                           workerScratch: workerScratch[l].map { $0.map(\.base) })
        }
        (self.batchInput, self.outputs, self.gradients, self.scratch) = (batchInput, outputs, gradients, scratch)
        self.workerScratch = workerScratch
        labels = .allocate(capacity: capacity)
        labels.initialize(repeating: 0, count: capacity)
        targets = FloatBuffer(count: capacity * network.spec.outputCount)
        rowLoss = FloatBuffer(count: capacity)
        predicted = .allocate(capacity: capacity)
        predicted.initialize(repeating: 0, count: capacity)
    }

    deinit {
        labels.deallocate()
        predicted.deallocate()
    }

    /// (B, C) the output layer's linear outputs (logits or regression values).
    var logits: UnsafeMutablePointer<Float> { outputs[outputs.count - 1].base }
}
