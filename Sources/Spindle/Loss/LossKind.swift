/// The training objective, applied to the last layer's linear outputs.
public enum LossKind: String, CaseIterable, Codable, Sendable {
    /// Softmax fused with cross-entropy, for class labels 0..<C.
    case crossEntropy = "cross-entropy"
    /// Mean squared error over all outputs, for regression targets (or one-hot labels).
    case mse
}
