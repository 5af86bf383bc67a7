/// One layer's gradient diagnostics over an epoch (`EpochReport.layers`), for every layer with
/// parameters (θ: its weights and biases; a batchnorm's running statistics are not parameters).
///
/// "Over an epoch" means: the mean of each measured step's value, except the weight norm, which
/// is the layer's at the epoch's end. One step in `GradientMeter.interval` is measured, the
/// epoch's 1st, 9th, 17th, …, which keeps the cost out of sight (`GradientMeter`). A vanishing gradient shows as gradient norms
/// that fall by orders of magnitude from the last layers to the first; a layer whose update ratio
/// is far below about 1e-3 barely learns, one far above it is being thrown about.
public struct LayerGradients: Codable, Equatable, Sendable {
    /// The layer's group in the model file, under /model: "00_dense", "03_residual/01_dense".
    public var layer: String
    /// Mean over the measured steps of ‖∂L/∂θ‖₂, the gradient of the batch's mean loss (before
    /// clipping).
    public var gradientNorm: Double
    /// ‖θ‖₂ at the epoch's end.
    public var weightNorm: Double
    /// Mean over the measured steps of ‖Δθ‖₂ / ‖θ‖₂: how far the step's update moved the parameters,
    /// relative to their norm after it (a step whose ‖θ‖ is 0 counts as 0).
    public var updateRatio: Double

    public init(layer: String, gradientNorm: Double, weightNorm: Double, updateRatio: Double) {
        (self.layer, self.gradientNorm, self.weightNorm, self.updateRatio) = (layer, gradientNorm, weightNorm, updateRatio)
    }
}

/// The running sums an epoch's `LayerGradients` are made from, one entry per layer with
/// parameters. They live in `TrainingState` (and so in checkpoints), so that an epoch interrupted
/// and resumed reports the same figures as one run straight through.
public struct GradientSums: Codable, Equatable, Sendable {
    /// Steps measured so far this epoch.
    public var steps: Int
    /// Σ over those steps of each layer's ‖∂L/∂θ‖.
    public var gradientNorms: [Double]
    /// Σ over those steps of each layer's ‖Δθ‖ / ‖θ‖.
    public var updateRatios: [Double]

    public init(layers: Int) {
        steps = 0
        gradientNorms = Array(repeating: 0, count: layers)
        updateRatios = Array(repeating: 0, count: layers)
    }

    /// Adds the step `meter` measured last (in place: no allocation once the arrays exist).
    mutating func add(_ meter: GradientMeter) {
        precondition(meter.layerCount == gradientNorms.count, "GradientSums: \(gradientNorms.count) layers, meter has \(meter.layerCount)")
        precondition(meter.measured, "GradientSums: the meter holds no finished step")
        for k in 0..<meter.layerCount {
            gradientNorms[k] += meter.gradientNorm(layer: k)
            let weight = meter.weightNorm(layer: k)
            updateRatios[k] += weight > 0 ? meter.updateNorm(layer: k) / weight : 0
        }
        steps += 1
    }

    /// The epoch's diagnostics: the means of the sums, with each layer's name and weight norm now.
    func report(names: [String], weightNorms: [Double]) -> [LayerGradients] {
        let n = Double(max(steps, 1))
        return names.indices.map {
            LayerGradients(layer: names[$0], gradientNorm: gradientNorms[$0] / n, weightNorm: weightNorms[$0],
                           updateRatio: updateRatios[$0] / n)
        }
    }

    /// What is wrong with these sums as part of a state to continue from, for `layers` layers
    /// with parameters and `batches` batches of the epoch done; nil when nothing is.
    func problem(layers: Int, batches: Int) -> String? {
        guard gradientNorms.count == layers, updateRatios.count == layers else {
            return "epochGradients has \(gradientNorms.count) gradient and \(updateRatios.count) update entries; " +
                "expected one per layer with parameters, \(layers)"
        }
        // One batch in `interval` is measured, the first of each group of that many.
        let measurable = (batches + GradientMeter.interval - 1) / GradientMeter.interval
        guard steps >= 0, steps <= measurable else {
            return "epochGradients.steps \(steps) is out of range; expected 0...\(measurable) " +
                "(one in \(GradientMeter.interval) of the epoch's \(batches) batches so far)"
        }
        if let bad = (gradientNorms + updateRatios).first(where: { !($0 >= 0 && $0.isFinite) }) {
            return "epochGradients holds \(bad); expected finite sums >= 0"
        }
        return nil
    }
}
