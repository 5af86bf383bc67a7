/// Class weights the trainer's engine uses: given ones checked against the classes, balanced
/// ones counted from the training labels (one pass over them, before the first step).
extension Trainer {
    /// - Parameters:
    ///   - classes: C, the network's outputs.
    ///   - statistics: the training rows in file order (a streamed split's); nil for one in memory.
    /// - Returns: one weight per class.
    /// - Throws: `SpindleError.invalidConfig` for weights that do not fit the classes.
    static func resolve(_ weights: ClassWeights, classes: Int, data: any TrainingData,
                        statistics: (any SequentialRows)?) throws -> [Double] {
        try weights.validate(classes: classes)
        if let given = weights.values { return given }
        guard let rows = statistics ?? (data as? InMemoryData)?.split else {
            preconditionFailure("Trainer: balanced class weights need the training rows in order")
        }
        return ClassWeights.balanced(counts: try labelCounts(rows, classes: classes))
    }

    /// Rows of each class among `rows`' labels, which the trainer checked are below `classes`.
    static func labelCounts(_ rows: some SequentialRows, classes: Int) throws -> [Int] {
        var counts = [Int](repeating: 0, count: classes)
        let chunk = 1 << 16
        let labels = UnsafeMutablePointer<Int32>.allocate(capacity: chunk)
        defer { labels.deallocate() }
        try rows.forEachChunk(rows: chunk) { batch in
            batch.gatherLabels(into: labels)
            for r in 0..<batch.count { counts[Int(labels[r])] += 1 }
        }
        return counts
    }
}
