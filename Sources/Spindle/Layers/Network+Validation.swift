/// What a network checks before it runs forward over rows it is given: the kernels behind
/// `Evaluator` index the rows' features, labels and targets without bounds checks, so a split
/// that does not fit the network must be refused here, with a message, and never reach them.
extension Network {
    /// Checks that `rows` can be evaluated: F features as the network's input, targets present,
    /// labels below its outputs (or float targets as wide as its outputs, for an MSE model).
    /// - Throws: `SpindleError.invalidData` naming the split and what does not fit, or
    ///   `SpindleError.invalidModel` when the network's own standardisation does not fit it.
    public func validateEvaluation(of rows: some SequentialRows) throws {
        let shape = RowsShape(rows)
        try validateInput(shape)
        try shape.checkTargets(outputs: spec.outputCount, loss: spec.loss, required: true, floatsNeedMSE: true)
    }

    /// Checks that the network can predict for `rows`: F features as its input, and whatever
    /// targets they carry (the forward pass reads them too) within its outputs.
    /// - Throws: as `validateEvaluation(of:)`.
    public func validatePrediction(of rows: some SequentialRows) throws {
        let shape = RowsShape(rows)
        try validateInput(shape)
        try shape.checkTargets(outputs: spec.outputCount, loss: spec.loss, required: false, floatsNeedMSE: false)
    }

    /// Checks that the network's own standardisation is as wide as its input (`featureScaling`
    /// is a public var: any width can be set).
    /// - Throws: `SpindleError.invalidModel`.
    func validateScaling() throws {
        if let scaling = featureScaling, scaling.featureCount != spec.inputCount {
            throw SpindleError.invalidModel(
                path: "network \(spec.architecture)",
                problem: "standardises \(scaling.featureCount) features, but takes \(spec.inputCount) inputs")
        }
    }

    private func validateInput(_ shape: RowsShape) throws {
        try validateScaling()
        try shape.validate()
        try shape.checkFeatures(spec.inputCount, of: "the model expects")
        try shape.checkImages(spec)
    }
}
