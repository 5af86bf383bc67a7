/// The checks a training state passes before a run continues from it, whether it comes from a
/// checkpoint's `training_state` attribute or from a Swift caller.
extension TrainingState {
    /// What is wrong with this state as the point a run continues from; nil when nothing is.
    /// - Parameters:
    ///   - stepsPerEpoch: batches an epoch of the run has; nil when not known (a model file
    ///     without its config or training row count), which leaves the loader position unchecked.
    ///   - batchSize: rows a batch of the run has, when known.
    func problem(stepsPerEpoch: Int?, batchSize: Int?) -> String? {
        let counts = [("step", step), ("epoch", epoch), ("batchInEpoch", batchInEpoch), ("epochRows", epochRows),
                      ("epochCorrect", epochCorrect), ("samplesTrained", samplesTrained)]
        if let (name, value) = counts.first(where: { $0.1 < 0 }) {
            return "\(name) \(value) is negative; expected a count >= 0"
        }
        let sums = [("epochLossSum", epochLossSum), ("epochSeconds", epochSeconds), ("trainingSeconds", trainingSeconds),
                    ("epochWeightSum", epochWeightSum ?? 0)]
        if let (name, value) = sums.first(where: { !($0.1 >= 0 && $0.1.isFinite) }) {
            return "\(name) \(value) is out of range; expected a finite number >= 0"
        }
        if epochCorrect > epochRows {
            return "epochCorrect \(epochCorrect) is out of range; expected at most epochRows, \(epochRows)"
        }
        if samplesTrained < epochRows {
            return "samplesTrained \(samplesTrained) is out of range; expected at least epochRows, \(epochRows)"
        }
        guard let stepsPerEpoch else { return nil }
        guard batchInEpoch < stepsPerEpoch else {
            return "batchInEpoch \(batchInEpoch) is out of range: an epoch has \(stepsPerEpoch) batches, " +
                "so expected 0..<\(stepsPerEpoch)"
        }
        // Multiplied with overflow reported: the numbers come from a file, and may be anything.
        let (epochStart, overflow) = epoch.multipliedReportingOverflow(by: stepsPerEpoch)
        guard !overflow, step == epochStart + batchInEpoch else {
            return "step \(step) is out of range: epoch \(epoch), batch \(batchInEpoch) (\(stepsPerEpoch) batches an " +
                "epoch) is step \(overflow ? "beyond \(Int.max)" : String(epochStart + batchInEpoch))"
        }
        if let batchSize, epochRows > batchInEpoch * batchSize {
            return "epochRows \(epochRows) is out of range; expected at most \(batchInEpoch * batchSize) " +
                "(batchInEpoch \(batchInEpoch) × batch size \(batchSize))"
        }
        return nil
    }
}
