/// Where every layer's parameters sit in the flat parameter buffer.
///
/// Layers are laid out in model order, each tensor after the previous one: a dense layer's
/// weight (O, I) row-major — PyTorch's `nn.Linear` layout — then its bias (O); a norm's weight
/// and bias (N), and for batchnorm its running mean and variance (N) — state the optimizer never
/// touches, kept here so that checkpoints carry it; a residual block's body's layers in order. The gradient and
/// every optimizer moment use the same layout, so the parameters of "units [u0, u1) of a layer"
/// are a few contiguous ranges in each of them: what lets a worker own a slice of the parameters
/// (DESIGN.md, phase B).
public struct ParameterLayout: Sendable, Equatable {
    /// The parameters of one layer of the model.
    public struct Group: Sendable, Equatable {
        /// Position of the layer in its list: `ModelSpec.allLayers` (the implicit output layer
        /// last), or the body of the residual block it sits in.
        public let index: Int
        /// Its term's name, e.g. "dense".
        public let kind: String
        public let tensors: [ParameterTensor]
        /// Its index in `allLayers`, then in each enclosing block's body (`[index]` at the top).
        public let path: [Int]
        /// The groups of the blocks it sits in, e.g. "03_residual/" ("" at the top).
        public let enclosing: String
        /// Zero-padded width of the indices of the body it sits in (unused at the top).
        let bodyDigits: Int

        init(index: Int, kind: String, tensors: [ParameterTensor], path: [Int]? = nil, enclosing: String = "",
             bodyDigits: Int = 2) {
            self.index = index
            self.kind = kind
            self.tensors = tensors
            self.path = path ?? [index]
            self.enclosing = enclosing
            self.bodyDigits = bodyDigits
        }

        /// The file group's name, `<index>_<kind>`, the index zero-padded to `digits` (a block's
        /// body pads its own indices to its own length), inside its blocks' groups:
        /// "05_dense", "03_residual/01_dense".
        public func name(digits: Int) -> String {
            (path.count == 1 ? Self.padded(index, digits) : enclosing + Self.padded(index, bodyDigits)) + "_" + kind
        }

        static func padded(_ index: Int, _ digits: Int) -> String {
            let number = String(index)
            return String(repeating: "0", count: max(0, digits - number.count)) + number
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
        indexDigits = Self.digits(layerCount)
    }

    /// Zero-padded width of the indices of a list of `count` layers: enough for each, at least 2.
    static func digits(_ count: Int) -> Int { max(2, String(max(count - 1, 0)).count) }

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
