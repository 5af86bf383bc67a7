/// The checks `ModelFile.read` makes on the numbers a file's attributes hold, beyond their types:
/// a file is anyone's to edit, and a count that is negative or a loader position past the end
/// of an epoch must be refused by name here, not found later as a crash or a run that never ends.
extension ModelFile {
    /// Checks the format version, the steps and epochs, the training row count, the config's
    /// settings and the training state (with the config and row count: its loader position).
    /// - Throws: `SpindleError.invalidModel` naming the file and the attribute.
    func validateNumbers(formatVersion version: Int, path: String) throws {
        func invalid(_ problem: String) -> SpindleError { .invalidModel(path: path, problem: problem) }
        guard version >= 1 else {
            throw invalid("format_version \(version) is not a version Spindle writes; expected 1 to \(Self.formatVersion)")
        }
        for (name, value) in [("steps", steps), ("epochs", epochs)] where value < 0 {
            throw invalid("its \(name) attribute is \(value); expected a count >= 0")
        }
        if let trainRows, trainRows < 1 {
            throw invalid("its train_rows attribute is \(trainRows); expected a positive number of rows")
        }
        do {
            try config?.validate()
        } catch let error as SpindleError {
            throw invalid("its config attribute is not usable: \(error)")
        }
        guard let state else { return }
        guard state.step == steps else {
            throw invalid("its training_state step \(state.step) differs from its steps attribute \(steps)")
        }
        // The config is valid here, so its batch size is positive.
        let stepsPerEpoch = config.flatMap { config in trainRows.map { config.stepsPerEpoch(rows: $0) } }
        if let problem = state.problem(stepsPerEpoch: stepsPerEpoch, batchSize: config?.batchSize) {
            throw invalid("its training_state \(problem)")
        }
    }
}
