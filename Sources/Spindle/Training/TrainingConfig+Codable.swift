extension TrainingConfig {
    enum CodingKeys: String, CodingKey {
        case model, initialization = "init", loss, optimizer, schedule, batchSize, dropLast, epochs, maxSteps,
             clipNorm, seed, shards, standardize, stream, classWeights, earlyStopping, inputShape, channelsLast
        // Version 1 (before layer lists) spelled the model with the shorthand's three settings.
        case hiddenSizes, activation, dropout
    }

    /// Decodes a config written by this or an earlier version of Spindle: a setting that an
    /// earlier version did not record takes the value that version used (shards: 1, one piece per
    /// step, as before the engine cut steps into shards; a model without a layer list: the
    /// shorthand of its hiddenSizes, activation and dropout; everything else: `init`'s default).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TrainingConfig()
        self.init(
            model: try c.decodeIfPresent([LayerSpec].self, forKey: .model),
            hiddenSizes: try c.decodeIfPresent([Int].self, forKey: .hiddenSizes) ?? [512, 256],
            activation: try c.decodeIfPresent(Activation.self, forKey: .activation) ?? .relu,
            initialization: try c.decodeIfPresent(Initialization.self, forKey: .initialization),
            loss: try c.decodeIfPresent(LossKind.self, forKey: .loss) ?? defaults.loss,
            optimizer: try c.decodeIfPresent(OptimizerConfig.self, forKey: .optimizer) ?? defaults.optimizer,
            schedule: try c.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule) ?? defaults.schedule,
            batchSize: try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? defaults.batchSize,
            dropLast: try c.decodeIfPresent(Bool.self, forKey: .dropLast) ?? false,
            epochs: try c.decodeIfPresent(Int.self, forKey: .epochs) ?? defaults.epochs,
            maxSteps: try c.decodeIfPresent(Int.self, forKey: .maxSteps),
            dropout: try c.decodeIfPresent(Double.self, forKey: .dropout) ?? 0,
            clipNorm: try c.decodeIfPresent(Double.self, forKey: .clipNorm),
            seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed,
            shards: try c.decodeIfPresent(Int.self, forKey: .shards) ?? 1,
            standardize: try c.decodeIfPresent(Bool.self, forKey: .standardize) ?? false,
            stream: try c.decodeIfPresent(StreamLayout.self, forKey: .stream),
            classWeights: try c.decodeIfPresent(ClassWeights.self, forKey: .classWeights),
            earlyStopping: try c.decodeIfPresent(EarlyStoppingConfig.self, forKey: .earlyStopping),
            inputShape: try c.decodeIfPresent(ImageShape.self, forKey: .inputShape),
            channelsLast: try c.decodeIfPresent(Bool.self, forKey: .channelsLast) ?? false)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(initialization, forKey: .initialization)
        try c.encode(loss, forKey: .loss)
        try c.encode(optimizer, forKey: .optimizer)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(batchSize, forKey: .batchSize)
        // Left out when off, so that configs read as before the setting existed: a checkpoint
        // of a run without it and a run resumed without it compare equal (ResumePoint).
        if dropLast { try c.encode(dropLast, forKey: .dropLast) }
        try c.encode(epochs, forKey: .epochs)
        try c.encodeIfPresent(maxSteps, forKey: .maxSteps)
        try c.encodeIfPresent(clipNorm, forKey: .clipNorm)
        try c.encode(seed, forKey: .seed)
        try c.encode(shards, forKey: .shards)
        try c.encode(standardize, forKey: .standardize)
        try c.encodeIfPresent(stream, forKey: .stream)
        try c.encodeIfPresent(classWeights, forKey: .classWeights)
        try c.encodeIfPresent(earlyStopping, forKey: .earlyStopping)
        // Left out for rows of features, so that their configs read as before images existed.
        try c.encodeIfPresent(inputShape, forKey: .inputShape)
        if channelsLast { try c.encode(channelsLast, forKey: .channelsLast) }
    }
}
