/// What a trainer checks before its engine sees anything: the step's kernels index features,
/// labels and targets without bounds checks, so data that does not fit the network it is about
/// to make, or a state no run can continue from, is refused here with a message.
extension Trainer {
    /// Checks `init`'s data against a network of `outputs` outputs trained with `loss`: the
    /// training rows' targets, the validation rows' features and targets, and the width of a
    /// given standardisation or of the rows its statistics come from.
    /// - Throws: `SpindleError.invalidData` naming the split and what does not fit.
    static func validate(data train: any TrainingData, validation: (any SequentialRows)?, outputs: Int, loss: LossKind,
                         scaling: FeatureScaling?, statistics: (any SequentialRows)?) throws {
        guard outputs > 0 else {
            throw SpindleError.invalidData(
                location: train.name, problem: "was given \(outputs) outputs to train; expected at least 1 class or target")
        }
        let shape = RowsShape(train)
        try shape.validate()
        guard shape.featureCount > 0 else {
            throw SpindleError.invalidData(location: train.name + "/x", problem: "has 0 features; expected at least 1")
        }
        try shape.checkTargets(outputs: outputs, loss: loss, required: true, floatsNeedMSE: true)
        if let validation {
            let held = RowsShape(validation)
            try held.validate()
            try held.checkFeatures(shape.featureCount, of: "the training data has")
            try held.checkTargets(outputs: outputs, loss: loss, required: true, floatsNeedMSE: true)
        }
        if let scaling, scaling.featureCount != shape.featureCount {
            throw SpindleError.invalidData(
                location: train.name + "/x",
                problem: "has \(shape.featureCount) features, but the standardisation given has \(scaling.featureCount)")
        }
        if let statistics { try RowsShape(statistics).checkFeatures(shape.featureCount, of: "the training data has") }
    }

    /// Checks that a run can continue from `state`: counts ≥ 0, and a loader position inside
    /// this trainer's epochs (a batch index past the last batch of an epoch would never reach
    /// the epoch's end, and the run would never end).
    /// - Throws: `SpindleError.invalidState` naming the field.
    func validateStart(_ state: TrainingState) throws {
        if let problem = state.problem(stepsPerEpoch: stepsPerEpoch, batchSize: config.batchSize) {
            throw SpindleError.invalidState(problem: problem)
        }
        if let problem = state.epochGradients?.problem(layers: engine.gradientMeter.layerCount, batches: state.batchInEpoch) {
            throw SpindleError.invalidState(problem: problem)
        }
    }
}
