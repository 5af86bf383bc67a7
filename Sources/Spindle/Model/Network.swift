/// A model's architecture and its parameters in one flat buffer (layout: `ParameterLayout`).
public final class Network: @unchecked Sendable {
    public let spec: ModelSpec
    public let layout: ParameterLayout
    /// The layers the engine runs (`LayerPlan`).
    let plan: LayerPlan
    /// Every parameter, in the order of `layout`.
    public let parameters: FloatBuffer
    /// Standardisation applied to the inputs before the first layer, when trained with it.
    public var featureScaling: FeatureScaling?

    /// A freshly initialised network: each dense or conv layer's weights uniform as
    /// `spec.initialization(ofLayerAt:)` says, biases zero (uniform too for `torch`); norms'
    /// weights 1 and biases 0, batchnorm's running mean 0 and variance 1 (as PyTorch's).
    ///
    /// Weight i of dense layer d (the d-th parameter group of the model) is drawn from Philox with
    /// counter (i/4, 0, purpose·2¹⁶ + d, 0), lane i mod 4, and key `seed`, so initialisation is
    /// the same on every machine and thread count; torch-initialised biases use their own purpose.
    public init(spec: ModelSpec, seed: UInt64) {
        self.spec = spec
        plan = LayerPlan(spec)
        layout = plan.layout
        parameters = FloatBuffer(count: layout.parameterCount)
        for (d, group) in layout.groups.enumerated() {
            guard group.kind == "dense" || group.kind == "conv" else {
                for name in ["weight", "running_var"] {
                    if let ones = group.tensor(name) { parameters.base.advanced(by: ones.offset).update(repeating: 1, count: ones.count) }
                }
                continue
            }
            guard let weight = group.tensor("weight"), let bias = group.tensor("bias") else { continue }
            // A conv's fans count its kernel's positions, as PyTorch's: C_in·K² and C·K².
            let receptive = weight.shape.dropFirst(2).reduce(1, *)
            let fanIn = weight.count / weight.shape[0], fanOut = weight.shape[0] * receptive
            let rule = spec.initialization(ofLayerAt: group.path)
            fillUniform(weight.range, limit: rule.limit(fanIn: fanIn, fanOut: fanOut),
                        purpose: .initialization, layer: d, seed: seed)
            if let limit = rule.biasLimit(fanIn: fanIn) {
                fillUniform(bias.range, limit: limit, purpose: .biasInitialization, layer: d, seed: seed)
            }
        }
    }

    private func fillUniform(_ range: Range<Int>, limit: Float, purpose: RandomPurpose, layer: Int, seed: UInt64) {
        let w = parameters.base + range.lowerBound, count = range.count
        let stream = purpose.rawValue << 16 | UInt32(layer)
        var i = 0
        while i < count {
            let block = Philox.block((UInt32(i / 4), 0, stream, 0), key: seed)
            for lane in 0..<min(4, count - i) {
                w[i + lane] = (2 * Philox.unitFloat(Philox.word(block, lane)) - 1) * limit
            }
            i += 4
        }
    }

    /// A network with the given parameters (e.g. read from a model file).
    public init(spec: ModelSpec, parameters: [Float]) {
        plan = LayerPlan(spec)
        precondition(parameters.count == plan.layout.parameterCount,
                     "Network: \(parameters.count) parameters for a model of \(plan.layout.parameterCount)")
        self.spec = spec
        layout = plan.layout
        self.parameters = FloatBuffer(parameters)
    }

    /// An independent copy (one memcpy of the parameters), e.g. for a checkpoint written while
    /// training goes on.
    public func copy() -> Network {
        let copy = Network(spec: spec, plan: plan, count: parameters.count)
        copy.parameters.copy(from: UnsafeBufferPointer(start: parameters.base, count: parameters.count))
        copy.featureScaling = featureScaling
        return copy
    }

    private init(spec: ModelSpec, plan: LayerPlan, count: Int) {
        self.spec = spec
        self.plan = plan
        layout = plan.layout
        parameters = FloatBuffer(count: count)
    }

    /// The values of one parameter tensor, row-major in its shape.
    public func values(_ tensor: ParameterTensor) -> [Float] {
        parameters.array(tensor.range)
    }

    /// Weights of the d-th dense layer as (outputs, inputs) row-major.
    public func weights(layer d: Int) -> [Float] { values(denseGroups[d].tensor("weight")!) }

    /// Biases of the d-th dense layer, (outputs).
    public func biases(layer d: Int) -> [Float] { values(denseGroups[d].tensor("bias")!) }

    private var denseGroups: [ParameterLayout.Group] { layout.groups.filter { $0.kind == "dense" } }

    /// Whether every parameter is a finite number.
    public var isFinite: Bool {
        let p = parameters.base
        for i in 0..<parameters.count where !p[i].isFinite { return false }
        return true
    }
}
