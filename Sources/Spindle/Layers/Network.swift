/// A dense network's architecture and its parameters in one flat buffer (layout: `ParameterLayout`).
public final class Network: @unchecked Sendable {
    public let spec: ModelSpec
    public let layout: ParameterLayout
    /// Every weight and bias, in the order of `layout`.
    public let parameters: FloatBuffer
    /// Standardisation applied to the inputs before the first layer, when trained with it.
    public var featureScaling: FeatureScaling?

    /// A freshly initialised network: uniform weights (He for ReLU, Glorot otherwise), zero biases.
    ///
    /// Weight i of layer l is drawn from Philox with counter (i/4, 0, purpose·2¹⁶ + l, 0), lane
    /// i mod 4, and key `seed`, so initialisation is the same on every machine and thread count.
    public init(spec: ModelSpec, seed: UInt64) {
        self.spec = spec
        self.layout = ParameterLayout(spec)
        self.parameters = FloatBuffer(count: layout.parameterCount)
        let w = parameters.base
        for (l, layer) in layout.layers.enumerated() {
            // The output layer feeds a softmax or a regression, not the hidden nonlinearity.
            let rule = l == spec.layerCount - 1 ? Initialization.glorot : spec.activation.initialization
            let limit = rule.limit(fanIn: layer.inputs, fanOut: layer.outputs)
            let stream = RandomPurpose.initialization.rawValue << 16 | UInt32(l)
            var i = 0
            while i < layer.weightCount {
                let block = Philox.block((UInt32(i / 4), 0, stream, 0), key: seed)
                for lane in 0..<min(4, layer.weightCount - i) {
                    let u = Philox.unitFloat(Philox.word(block, lane))
                    w[layer.weightOffset + i + lane] = (2 * u - 1) * limit
                }
                i += 4
            }
        }
    }

    /// A network with the given parameters (e.g. read from a model file).
    public init(spec: ModelSpec, parameters: [Float]) {
        let layout = ParameterLayout(spec)
        precondition(parameters.count == layout.parameterCount,
                     "Network: \(parameters.count) parameters for a model of \(layout.parameterCount)")
        self.spec = spec
        self.layout = layout
        self.parameters = FloatBuffer(parameters)
    }

    /// An independent copy (one memcpy of the parameters), e.g. for a checkpoint written while
    /// training goes on.
    public func copy() -> Network {
        let copy = Network(spec: spec, parameters: UnsafeBufferPointer(start: parameters.base, count: parameters.count))
        copy.featureScaling = featureScaling
        return copy
    }

    private init(spec: ModelSpec, parameters values: UnsafeBufferPointer<Float>) {
        self.spec = spec
        self.layout = ParameterLayout(spec)
        self.parameters = FloatBuffer(count: values.count)
        parameters.copy(from: values)
    }

    /// Weights of layer l as (outputs, inputs) row-major.
    public func weights(layer l: Int) -> [Float] {
        let d = layout.layers[l]
        return parameters.array(d.weightOffset..<(d.weightOffset + d.weightCount))
    }

    /// Biases of layer l, (outputs).
    public func biases(layer l: Int) -> [Float] {
        let d = layout.layers[l]
        return parameters.array(d.biasOffset..<(d.biasOffset + d.outputs))
    }

    /// Whether every parameter is a finite number.
    public var isFinite: Bool {
        let p = parameters.base
        for i in 0..<parameters.count where !p[i].isFinite { return false }
        return true
    }
}
