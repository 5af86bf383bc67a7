/// What a set of rows holds, as far as the boundary checks need to know: its name for messages,
/// its feature count F, and its targets. Made from any of the library's row protocols; an
/// in-memory split is kept whole, so that its labels are checked one by one and a message can
/// name the row of the first bad one.
struct RowsShape {
    enum Targets {
        /// Class labels, with the largest + 1 when the source knows it.
        case labels(bound: Int?)
        /// Float targets, T per row.
        case values(width: Int)
        case none
        /// A caller's own `TrainingData` that is not labelled: what it holds is not known here.
        case unknown
    }

    var name: String
    var featureCount: Int
    /// x's shape a row (`SequentialRows.sampleShape`).
    var sampleShape: [Int]
    var targets: Targets
    var split: DatasetSplit?

    init(_ rows: some SequentialRows) {
        name = rows.name
        featureCount = rows.featureCount
        sampleShape = rows.sampleShape
        split = rows as? DatasetSplit
        targets = rows.hasLabels ? .labels(bound: rows.labelBound) : rows.targetWidth.map { .values(width: $0) } ?? .none
    }

    init(_ data: any TrainingData) {
        if let memory = data as? InMemoryData {
            self = RowsShape(memory.split)
            return
        }
        name = data.name
        featureCount = data.featureCount
        sampleShape = data.sampleShape
        split = nil
        if let streamed = data as? StreamedData {
            let split = streamed.split
            targets = split.hasLabels ? .labels(bound: split.labelBound) : split.targetWidth.map { .values(width: $0) } ?? .none
        } else {
            targets = data.hasLabels ? .labels(bound: nil) : .unknown
        }
    }

    /// Checks the shape of an in-memory split's arrays (see `DatasetSplit.validate`).
    func validate() throws { try split?.validate() }

    /// - Throws: `SpindleError.invalidData` unless the rows have `inputs` features.
    func checkFeatures(_ inputs: Int, of what: String) throws {
        guard featureCount == inputs else {
            throw SpindleError.invalidData(location: name + "/x",
                                           problem: "has \(featureCount) features, but \(what) \(inputs)")
        }
    }

    /// - Throws: `SpindleError.invalidData` unless the rows hold the images `spec` takes (see
    ///   `ModelSpec.checkInput`).
    func checkImages(_ spec: ModelSpec) throws {
        try spec.checkInput(sampleShape: sampleShape, location: name + "/x")
    }

    /// Checks the targets against a network of `outputs` outputs trained with `loss`: labels
    /// below `outputs` (the index of a logit, or of a one-hot target's 1), float targets `outputs`
    /// wide for MSE.
    /// - Parameters:
    ///   - required: whether rows without targets are refused (evaluation, training).
    ///   - floatsNeedMSE: whether float targets are refused for a classifier (evaluation; a
    ///     prediction never reads them).
    func checkTargets(outputs: Int, loss: LossKind, required: Bool, floatsNeedMSE: Bool) throws {
        let location = name + "/y"
        switch targets {
        case .labels(let bound):
            if let split {
                // Negative labels are the split's own mistake, refused by `validate()`.
                if let (row, label) = split.firstLabel(atLeast: outputs) {
                    throw SpindleError.invalidData(
                        location: location, problem: "label \(label) at row \(row) is out of range: expected " +
                            "0..<\(outputs) (the model has \(outputs) classes)")
                }
            } else if let bound, bound > outputs {
                throw SpindleError.invalidData(
                    location: location, problem: "label \(bound - 1) is out of range: expected 0..<\(outputs) " +
                        "(the model has \(outputs) classes)")
            }
        case .values(let width):
            if floatsNeedMSE && loss == .crossEntropy {
                throw SpindleError.invalidData(
                    location: location, problem: "holds float targets, but the model is a classifier " +
                        "(cross-entropy); expected integer class labels")
            }
            if loss == .mse && width != outputs {
                throw SpindleError.invalidData(
                    location: location, problem: "has \(width) targets per row, but the model has \(outputs) outputs")
            }
        case .none:
            if required {
                throw SpindleError.invalidData(location: name, problem: "has no targets (y); expected class labels or float targets")
            }
        case .unknown:
            break
        }
    }
}
