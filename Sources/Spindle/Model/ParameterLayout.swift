/// Where every layer's parameters sit in the flat parameter buffer.
///
/// Layers are laid out in model order, each tensor after the previous one: a dense layer's
/// weight (O, I) row-major — PyTorch's `nn.Linear` layout — then its bias (O). The gradient and
/// every optimizer moment use the same layout, so the parameters of "units [u0, u1) of a layer"
/// are a few contiguous ranges in each of them: what lets a worker own a slice of the parameters
/// (DESIGN.md, phase B).
public struct ParameterLayout: Sendable, Equatable {
    /// The parameters of one layer of the model.
    public struct Group: Sendable, Equatable {
        /// Position of the layer in `ModelSpec.allLayers` (the implicit output layer last).
        public let index: Int
        /// Its term's name, e.g. "dense".
        public let kind: String
        public let tensors: [ParameterTensor]

        /// The file group's name, `<index>_<kind>`, the index zero-padded to `digits`.
        public func name(digits: Int) -> String {
            let number = String(index)
            return String(repeating: "0", count: max(0, digits - number.count)) + number + "_" + kind
        }

        public func tensor(_ name: String) -> ParameterTensor? { tensors.first { $0.name == name } }
    }

    public let groups: [Group]
    public let parameterCount: Int
    /// Zero-padded width of the group indices: enough for every layer, at least 2.
    public let indexDigits: Int

    init(groups: [Group], layerCount: Int) {
        self.groups = groups
        parameterCount = groups.last?.tensors.last.map { $0.offset + $0.count } ?? 0
        indexDigits = max(2, String(max(layerCount - 1, 0)).count)
    }

    /// Offsets of one dense layer: its weight (outputs, inputs) and bias (outputs).
    public struct Dense: Sendable, Equatable {
        public let inputs: Int
        public let outputs: Int
        public let weightOffset: Int
        public let biasOffset: Int
        public var weightCount: Int { inputs * outputs }
    }

    /// The dense layers, in model order (the output layer last).
    public var denseLayers: [Dense] {
        groups.compactMap { group in
            guard group.kind == "dense", let w = group.tensor("weight"), let b = group.tensor("bias") else { return nil }
            return Dense(inputs: w.shape[1], outputs: w.shape[0], weightOffset: w.offset, biasOffset: b.offset)
        }
    }

    public init(_ spec: ModelSpec) {
        self = LayerPlan(spec).layout
    }
}
