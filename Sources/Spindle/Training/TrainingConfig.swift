/// Everything that determines a training run's result, bit for bit. The worker count is not part
/// of it: any worker count gives the same bits (DESIGN.md contract 1).
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// The layers before the implicit output layer (`--model`, or what `--layers`,
    /// `--activation` and `--dropout` stand for).
    public var model: [LayerSpec]
    /// `--init`: the initialisation of every dense layer without its own `init=` (nil: He before
    /// ReLU outside residual blocks, Glorot elsewhere).
    public var initialization: Initialization?
    public var loss: LossKind
    public var optimizer: OptimizerConfig
    public var schedule: LearningRateSchedule
    public var batchSize: Int
    /// `--drop-last`: skip each epoch's last batch when it holds fewer than `batchSize` rows, as
    /// PyTorch's `DataLoader(drop_last=True)`: an epoch is ⌊rows / B⌋ steps rather than ⌈rows / B⌉,
    /// and the rows at the end of the epoch's order that fill no whole batch are not trained on
    /// that epoch (the next epoch's order is another permutation).
    public var dropLast: Bool
    public var epochs: Int
    /// Stop after this many steps in total, even mid-epoch.
    public var maxSteps: Int?
    /// Rescale gradients to at most this global L2 norm.
    public var clipNorm: Double?
    public var seed: UInt64
    /// How many fixed pieces each step's work is cut into (rows in phase A, units in phase B).
    /// Results depend on it and never on the worker count; workers beyond it idle. The default,
    /// the machine's core count, lets every core work.
    public var shards: Int
    /// Standardise features with the training set's mean and standard deviation (saved with the
    /// model).
    public var standardize: Bool
    /// How a streamed training split is cut into blocks and shuffle windows (which fixes its order);
    /// nil when the split is held in memory and permuted whole.
    public var stream: StreamLayout?
    /// Each training row's loss weighted by its class (cross-entropy only); nil: all weigh 1.
    public var classWeights: ClassWeights?
    /// Stop when the validation metric has not improved for a while, keeping the best epoch's
    /// weights (`EarlyStopping`); nil: train every epoch.
    public var earlyStopping: EarlyStoppingConfig?
    /// `--input-shape C,H,W`: the image each row holds, (C, H, W) as PyTorch writes it; nil for
    /// rows of features. A run on a dataset of images ([N, H, W], [N, C, H, W], [N, H, W, C])
    /// records the shape its file gives (`resolvingImage(of:location:)`).
    public var inputShape: ImageShape?
    /// `--channels-last`: the rows store each image (H, W, C), as Keras and TensorFlow do, rather
    /// than (C, H, W).
    public var channelsLast: Bool

    /// Blocks of `blockRows` rows (whole storage chunks), `windowBlocks` of them per shuffle window.
    public struct StreamLayout: Codable, Equatable, Sendable {
        public var blockRows: Int
        public var windowBlocks: Int
        public init(blockRows: Int, windowBlocks: Int) {
            self.blockRows = blockRows
            self.windowBlocks = windowBlocks
        }
    }

    /// - Parameters:
    ///   - model: the layer list; when nil, the shorthand `hiddenSizes`, `activation`, `dropout`
    ///     spells it (dense(H), activation, dropout(p) for every hidden width H).
    public init(model: [LayerSpec]? = nil, hiddenSizes: [Int] = [512, 256], activation: Activation = .relu,
                initialization: Initialization? = nil, loss: LossKind = .crossEntropy, optimizer: OptimizerConfig = OptimizerConfig(),
                schedule: LearningRateSchedule = .constant, batchSize: Int = 128, dropLast: Bool = false, epochs: Int = 10,
                maxSteps: Int? = nil, dropout: Double = 0, clipNorm: Double? = nil, seed: UInt64 = 0,
                shards: Int = WorkerPool.activeProcessorCount, standardize: Bool = false,
                stream: StreamLayout? = nil, classWeights: ClassWeights? = nil,
                earlyStopping: EarlyStoppingConfig? = nil, inputShape: ImageShape? = nil, channelsLast: Bool = false) {
        self.model = model ?? .shorthand(hiddenSizes: hiddenSizes, activation: activation, dropout: dropout)
        self.initialization = initialization
        self.loss = loss
        self.optimizer = optimizer
        self.schedule = schedule
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.epochs = epochs
        self.maxSteps = maxSteps
        self.clipNorm = clipNorm
        self.seed = seed
        self.shards = shards
        self.standardize = standardize
        self.stream = stream
        self.classWeights = classWeights
        self.earlyStopping = earlyStopping
        self.inputShape = inputShape
        self.channelsLast = channelsLast
    }

    /// The model this config trains on data with `inputs` features and `outputs` classes/targets.
    /// - Precondition: `inputShape`, when set, holds `inputs` values (`resolvingImage` checks it
    ///   against the data, naming the flag).
    public func modelSpec(inputs: Int, outputs: Int) -> ModelSpec {
        ModelSpec(inputCount: inputs, layers: model, outputCount: outputs, loss: loss, initialization: initialization,
                  inputShape: inputShape, inputChannelsLast: inputShape != nil && channelsLast)
    }

    /// Steps (batches) an epoch of `rows` training rows takes: ⌈rows / B⌉, the last batch possibly
    /// partial (PyTorch's DataLoader, drop_last=False), or ⌊rows / B⌋ with `dropLast`.
    /// - Precondition: `batchSize` > 0 (`validate()`).
    public func stepsPerEpoch(rows: Int) -> Int {
        dropLast ? rows / batchSize : (rows + batchSize - 1) / batchSize
    }

    /// Most shards (and workers) accepted; beyond it a typo is likelier than a machine.
    public static let shardLimit = 1024

    /// Checks that every value is usable, naming the offending setting.
    /// - Throws: `SpindleError.invalidConfig`.
    public func validate() throws {
        func fail(_ setting: String, _ found: String, _ expected: String) throws -> Never {
            throw SpindleError.invalidConfig(setting: setting, found: found, expected: expected)
        }
        func check(_ layers: [LayerSpec]) throws {
            for layer in layers {
                switch layer {
                case let .dense(units, _) where !(1...ModelSpecParser.widthLimit).contains(units):
                    try fail("model", layer.description, "a number of units from 1 to \(ModelSpecParser.widthLimit)")
                case let .dropout(p) where !(p >= 0 && p < 1):
                    try fail("model", layer.description, "a dropout probability in [0, 1)")
                case let .leakyRelu(slope) where !(slope >= 0 && slope.isFinite):
                    try fail("model", layer.description, "a negative-side slope >= 0")
                case let .residual(body) where body.isEmpty:
                    try fail("model", layer.description, "a residual block with at least one layer")
                case let .residual(body):
                    try check(body)
                default: break
                }
            }
        }
        try check(model)
        if let inputShape, !inputShape.dimensions.allSatisfy({ (1...ModelSpecParser.widthLimit).contains($0) }) {
            try fail("input-shape", inputShape.flag, "three sizes from 1 to \(ModelSpecParser.widthLimit), C,H,W")
        }
        if !(1...Self.shardLimit).contains(shards) {
            try fail("shards", "\(shards)", "a count from 1 to \(Self.shardLimit)")
        }
        if batchSize <= 0 { try fail("batch-size", "\(batchSize)", "a positive number of rows") }
        if let stream, stream.blockRows <= 0 || stream.windowBlocks <= 0 {
            try fail("shuffle-window", "\(stream.blockRows * stream.windowBlocks)", "a positive number of rows")
        }
        if epochs <= 0 { try fail("epochs", "\(epochs)", "a positive number") }
        if let maxSteps, maxSteps <= 0 { try fail("max-steps", "\(maxSteps)", "a positive number") }
        let lr = optimizer.learningRate
        if !(lr > 0) || !lr.isFinite { try fail("lr", "\(lr)", "a finite number > 0") }
        let wd = optimizer.weightDecay
        if !(wd >= 0) || !wd.isFinite { try fail("weight-decay", "\(wd)", "a finite number >= 0") }
        let mu = optimizer.momentum
        if !(mu >= 0 && mu < 1) { try fail("momentum", "\(mu)", "a number in [0, 1)") }
        if let clipNorm, !(clipNorm > 0) || !clipNorm.isFinite {
            try fail("clip-norm", "\(clipNorm)", "a finite number > 0")
        }
        if let classWeights {
            try classWeights.validate()
            if loss != .crossEntropy {
                try fail("class-weights", classWeights.description, "--loss cross-entropy (class weights weight each row's class)")
            }
        }
        if let earlyStopping, earlyStopping.patience < 1 {
            try fail("early-stopping", "\(earlyStopping.patience)", "a patience of at least 1 epoch")
        }
        switch schedule {
        case .constant: break
        case let .step(every, gamma):
            if every <= 0 { try fail("step-epochs", "\(every)", "a positive number of epochs") }
            if !(gamma > 0) || !gamma.isFinite { try fail("gamma", "\(gamma)", "a finite number > 0") }
        case let .cosine(warmup, minimum):
            if warmup < 0 { try fail("warmup-steps", "\(warmup)", "a number >= 0") }
            if !(minimum >= 0) || minimum > lr { try fail("min-lr", "\(minimum)", "a number in [0, lr]") }
        }
    }
}
