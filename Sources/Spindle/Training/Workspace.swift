/// The per-row buffers of a forward and backward pass over up to `capacity` rows, allocated once
/// and reused every step (nothing is allocated inside a step).
///
/// For dense layer l (0-based) with widths n_l → n_{l+1}:
///   input(l)      (B, n_l)     what layer l reads: the batch for l = 0, else layer l−1's output
///   activations[l](B, n_{l+1}) f(X·Wᵀ + b); for the last layer, the linear outputs (logits)
///   masks[l]      (B, n_{l+1}) dropout's 0 or 1/(1−p), hidden layers only, when dropout is on
///   dropped[l]    (B, n_{l+1}) activations · mask, the next layer's input, when dropout is on
///   deltas[l]     (B, n_{l+1}) ∂(batch loss)/∂(pre-activation)
final class Workspace: @unchecked Sendable {
    let capacity: Int
    let batchInput: FloatBuffer
    let activations: [FloatBuffer]
    let masks: [FloatBuffer?]
    let dropped: [FloatBuffer?]
    let deltas: [FloatBuffer]
    /// (B) class labels of the batch rows, for cross-entropy.
    let labels: UnsafeMutablePointer<Int32>
    /// (B, T) float targets, for MSE.
    let targets: FloatBuffer
    /// (B) each row's loss, summed in row order afterwards.
    let rowLoss: FloatBuffer
    /// (B) argmax of each row's outputs.
    let predicted: UnsafeMutablePointer<Int32>

    init(spec: ModelSpec, capacity: Int, dropout: Bool, backward: Bool) {
        let widths = spec.widths
        let layers = spec.layerCount
        self.capacity = capacity
        batchInput = FloatBuffer(count: capacity * widths[0])
        activations = (0..<layers).map { FloatBuffer(count: capacity * widths[$0 + 1]) }
        let hiddenDropout = (0..<layers).map { dropout && $0 < layers - 1 }
        masks = (0..<layers).map { hiddenDropout[$0] ? FloatBuffer(count: capacity * widths[$0 + 1]) : nil }
        dropped = (0..<layers).map { hiddenDropout[$0] ? FloatBuffer(count: capacity * widths[$0 + 1]) : nil }
        deltas = backward ? (0..<layers).map { FloatBuffer(count: capacity * widths[$0 + 1]) } : []
        labels = .allocate(capacity: capacity)
        labels.initialize(repeating: 0, count: capacity)
        targets = FloatBuffer(count: capacity * spec.outputCount)
        rowLoss = FloatBuffer(count: capacity)
        predicted = .allocate(capacity: capacity)
        predicted.initialize(repeating: 0, count: capacity)
    }

    deinit {
        labels.deallocate()
        predicted.deallocate()
    }

    /// What dense layer l reads, (B, n_l).
    func input(_ l: Int) -> UnsafeMutablePointer<Float> {
        l == 0 ? batchInput.base : (dropped[l - 1] ?? activations[l - 1]).base
    }
}
