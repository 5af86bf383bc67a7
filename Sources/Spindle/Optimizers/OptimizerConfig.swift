/// The update rules Spindle offers, with PyTorch's semantics (torch.optim.SGD/Adam/AdamW).
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    /// w ← w − lr · (g + λw)
    case sgd
    /// v ← μv + (g + λw);  w ← w − lr · v   (Nesterov: w ← w − lr · (g + λw + μv))
    case momentum
    /// Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient.
    case adam
    /// Adam with decoupled weight decay (Loshchilov & Hutter 2019): w ← w(1 − lr·λ) before the step.
    case adamw

    /// How many moment buffers (each the size of the parameters) the rule keeps.
    public var momentCount: Int {
        switch self {
        case .sgd: return 0
        case .momentum: return 1
        case .adam, .adamw: return 2
        }
    }
}

/// An optimizer and its hyperparameters.
public struct OptimizerConfig: Codable, Equatable, Sendable {
    public var kind: OptimizerKind
    public var learningRate: Double
    /// λ. Applied to weights only, never to biases (decaying biases only hurts fit).
    public var weightDecay: Double
    public var momentum: Double
    public var nesterov: Bool
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double

    public init(kind: OptimizerKind = .adam, learningRate: Double = 1e-3, weightDecay: Double = 0,
                momentum: Double = 0.9, nesterov: Bool = false,
                beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.kind = kind
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }
}
