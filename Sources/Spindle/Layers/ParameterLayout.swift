/// Where each dense layer's weights and biases sit in the flat parameter buffer.
///
/// Layer l stores its weight W_l as (out, in) row-major — PyTorch's `nn.Linear` layout — followed by
/// its bias (out). The gradient and every optimizer moment use the same layout, so "units
/// [u0, u1) of layer l" is two contiguous ranges in each of them: the rows of W and the bias entries.
/// That is what lets a worker own a slice of the parameters (DESIGN.md, phase B).
public struct ParameterLayout: Sendable, Equatable {
    /// Offsets of one dense layer inside the flat buffers.
    public struct Dense: Sendable, Equatable {
        public let inputs: Int
        public let outputs: Int
        /// Start of W: (outputs, inputs) row-major.
        public let weightOffset: Int
        /// Start of b: (outputs).
        public let biasOffset: Int

        public var weightCount: Int { inputs * outputs }
        /// Parameters of units [u0, u1): their rows of W.
        public func weightRange(units: Range<Int>) -> Range<Int> {
            (weightOffset + units.lowerBound * inputs)..<(weightOffset + units.upperBound * inputs)
        }
        /// Parameters of units [u0, u1): their bias entries.
        public func biasRange(units: Range<Int>) -> Range<Int> {
            (biasOffset + units.lowerBound)..<(biasOffset + units.upperBound)
        }
    }

    public let layers: [Dense]
    public let parameterCount: Int

    public init(_ spec: ModelSpec) {
        var layers: [Dense] = []
        var offset = 0
        let widths = spec.widths
        for l in 0..<spec.layerCount {
            let inputs = widths[l], outputs = widths[l + 1]
            layers.append(Dense(inputs: inputs, outputs: outputs,
                                weightOffset: offset, biasOffset: offset + inputs * outputs))
            offset += inputs * outputs + outputs
        }
        self.layers = layers
        self.parameterCount = offset
    }
}
