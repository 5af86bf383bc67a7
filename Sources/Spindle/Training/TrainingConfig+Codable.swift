extension TrainingConfig {
    enum CodingKeys: String, CodingKey {
        case hiddenSizes, activation, loss, optimizer, schedule, batchSize, epochs, maxSteps, dropout,
             clipNorm, seed, shards, standardize, stream
    }

    /// Decodes a config written by this or an earlier version of Spindle: a setting that an
    /// earlier version did not record takes the value that version used (shards: 1, one piece per
    /// step, as before the engine cut steps into shards; everything else: `init`'s default).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TrainingConfig()
        self.init(
            hiddenSizes: try c.decodeIfPresent([Int].self, forKey: .hiddenSizes) ?? defaults.hiddenSizes,
            activation: try c.decodeIfPresent(Activation.self, forKey: .activation) ?? defaults.activation,
            loss: try c.decodeIfPresent(LossKind.self, forKey: .loss) ?? defaults.loss,
            optimizer: try c.decodeIfPresent(OptimizerConfig.self, forKey: .optimizer) ?? defaults.optimizer,
            schedule: try c.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule) ?? defaults.schedule,
            batchSize: try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? defaults.batchSize,
            epochs: try c.decodeIfPresent(Int.self, forKey: .epochs) ?? defaults.epochs,
            maxSteps: try c.decodeIfPresent(Int.self, forKey: .maxSteps),
            dropout: try c.decodeIfPresent(Double.self, forKey: .dropout) ?? defaults.dropout,
            clipNorm: try c.decodeIfPresent(Double.self, forKey: .clipNorm),
            seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed,
            shards: try c.decodeIfPresent(Int.self, forKey: .shards) ?? 1,
            standardize: try c.decodeIfPresent(Bool.self, forKey: .standardize) ?? false,
            stream: try c.decodeIfPresent(StreamLayout.self, forKey: .stream))
    }
}
