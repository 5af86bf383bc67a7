/// The shape of a dense network: input width, hidden widths, output width, nonlinearity and loss.
///
/// Dimension letters used across the engine: B batch rows, F features (inputs), H a hidden width,
/// C outputs (classes or regression targets).
public struct ModelSpec: Codable, Equatable, Sendable {
    public var inputCount: Int
    public var hiddenSizes: [Int]
    public var outputCount: Int
    public var activation: Activation
    public var loss: LossKind

    public init(inputCount: Int, hiddenSizes: [Int], outputCount: Int,
                activation: Activation = .relu, loss: LossKind = .crossEntropy) {
        precondition(inputCount > 0 && outputCount > 0 && hiddenSizes.allSatisfy { $0 > 0 },
                     "ModelSpec: every layer width must be positive")
        self.inputCount = inputCount
        self.hiddenSizes = hiddenSizes
        self.outputCount = outputCount
        self.activation = activation
        self.loss = loss
    }

    /// Widths of every layer of units, input first: [F, H1, …, C].
    public var widths: [Int] { [inputCount] + hiddenSizes + [outputCount] }

    /// Number of dense (weight) layers.
    public var layerCount: Int { hiddenSizes.count + 1 }

    /// Human-readable architecture, e.g. "784-512-256-10".
    public var architecture: String { widths.map(String.init).joined(separator: "-") }
}
