/// How a batch's row losses make the loss whose gradient a step takes: the mean over its B rows,
/// or with class weights the weighted mean Σ_r w[y_r]·loss_r / Σ_r w[y_r] (PyTorch's
/// `CrossEntropyLoss(weight=)`; `ClassWeights`).
struct LossScale {
    /// ∂(batch loss)/∂(row loss) of a row of weight 1: 1/B, or 1/Σ_r w[y_r].
    let gradientScale: Float
    /// (C) each class's weight, nil when every row weighs 1.
    let classWeights: UnsafePointer<Float>?

    /// The plain mean over `rows` rows.
    static func mean(rows: Int) -> LossScale { LossScale(gradientScale: 1 / Float(rows), classWeights: nil) }
}

/// The class weights of a training loss, with the one buffer a step needs, allocated once.
///
/// Letters: B rows of a batch, C classes.
final class LossWeighting: @unchecked Sendable {
    /// (C) weights, as Float: what multiplies each row's gradient.
    let classWeights: FloatBuffer
    /// (B) the batch's labels, read before phase A (the denominator needs every row's class
    /// before any row's gradient is made).
    private let labels: UnsafeMutablePointer<Int32>
    private let capacity: Int

    init(weights: [Double], capacity: Int) {
        classWeights = FloatBuffer(weights.map { Float($0) })
        self.capacity = capacity
        labels = .allocate(capacity: max(capacity, 1))
        labels.initialize(repeating: 0, count: max(capacity, 1))
    }

    deinit { labels.deallocate() }

    /// Σ_r w[y_r] over `batch`'s rows, added in row order (so any worker count gives its bits).
    func weightSum(_ batch: Batch) -> Float {
        precondition(batch.count <= capacity, "LossWeighting: a batch of \(batch.count) rows, capacity \(capacity)")
        batch.gatherLabels(into: labels)
        var sum: Float = 0
        for r in 0..<batch.count { sum += classWeights[Int(labels[r])] }
        return sum
    }

    /// The weighted mean's scale for a batch whose rows' weights sum to `sum` (over every rank's
    /// share). A batch of rows that all weigh 0 contributes no gradient (where PyTorch's 0/0
    /// would make every weight NaN).
    func scale(weightSum sum: Float) -> LossScale {
        LossScale(gradientScale: sum > 0 ? 1 / sum : 0, classWeights: UnsafePointer(classWeights.base))
    }

    /// The rows' weighted loss sum Σ w[y_r]·loss_r and weight sum, in row order.
    func sums(rowLoss: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int) -> (loss: Double, weight: Double) {
        var loss = 0.0, weight = 0.0
        for r in 0..<rows {
            let w = Double(classWeights[Int(labels[r])])
            loss += w * Double(rowLoss[r])
            weight += w
        }
        return (loss, weight)
    }
}
