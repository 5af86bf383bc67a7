import Spindle

/// The splits a training run uses, checked against each other: the training split in memory or
/// streamed (by the memory budget, or as the checkpoint being resumed did), validation and test
/// splits in memory when they fit what is left of the budget, else read from the file as needed.
struct LoadedData {
    var path: String
    var train: any TrainingData
    /// The training rows in file order, for the standardisation statistics.
    var trainRows: any SequentialRows
    var validation: (any SequentialRows)?
    var test: (any SequentialRows)?
    /// Classes (labels) or regression targets: the network's output width.
    var outputs: Int
    /// How the training split is streamed; nil when it is in memory.
    var stream: TrainingConfig.StreamLayout?
    /// What the report says about where the data lives.
    var notes: [String] = []

    /// Most classes accepted; a larger label is almost surely a mistake in the file.
    static let classLimit = 100_000

    /// - Parameter resumedStream: the resumed checkpoint's layout (`.some(nil)`: it held the
    ///   training split in memory), which fixes the order whatever the budget now.
    init(_ options: DataOptions, seed: UInt64, batchSize: Int,
         resumedStream: TrainingConfig.StreamLayout?? = nil) throws {
        path = try options.path()
        let budget = options.memoryBudget ?? .default
        let trainPaths = DatasetReader.SplitPaths(x: options.trainX, y: options.trainY)
        let trainSplit = try StreamedSplit.open(path, trainPaths)
        let inMemory = resumedStream.map { $0 == nil } ?? (trainSplit.inMemoryBytes <= budget.bytes)
        var used = 0
        let file = try DatasetReader.openFile(path)
        var validation: (any SequentialRows)? = nil
        if DatasetReader.has(file, "/val/x") {
            validation = try Self.open(path, .named("val"), budget: budget, used: &used)
        }
        if inMemory {
            var train = try DatasetReader.load(file, trainPaths)
            used += trainSplit.inMemoryBytes
            if validation == nil, options.valFraction > 0 {
                // A fixed shuffle of the rows decides the held-out set: same seed, same split.
                let order = Shuffle.permutation(count: train.rows, seed: seed, epoch: 0, purpose: .validationSplit)
                let held = try Self.heldOut(options.valFraction, of: train.rows, "rows")
                validation = train.subset(Array(order[..<held]).sorted(), name: train.name + "[validation]")
                train = train.subset(Array(order[held...]).sorted(), name: train.name)
            }
            self.train = InMemoryData(train, seed: seed)
            trainRows = train
            stream = nil
        } else {
            let layout = try resumedStream.flatMap { $0 } ?? trainSplit.streamLayout(
                budget: budget, prefetch: options.prefetch, batchSize: batchSize, windowRows: options.shuffleWindow)
            var blocks = StreamPlan.blocks(rows: 0..<trainSplit.rows, blockRows: layout.blockRows)
            if validation == nil, options.valFraction > 0 {
                // Whole blocks are held out, so that both parts stay chunk-aligned reads.
                let order = Shuffle.permutation(count: blocks.count, seed: seed, epoch: 0, purpose: .validationSplit)
                let held = try Self.heldOut(options.valFraction, of: blocks.count, "blocks of \(layout.blockRows) rows")
                validation = try StreamedRows(trainSplit, blocks: order[..<held].sorted().map { blocks[$0] },
                                              name: trainSplit.name + "[validation]")
                blocks = order[held...].sorted().map { blocks[$0] }
            }
            let plan = StreamPlan(blocks: blocks, windowBlocks: layout.windowBlocks, seed: seed, shuffled: true)
            let streamed = try StreamedData(trainSplit, plan: plan, prefetch: options.prefetch)
            train = streamed
            trainRows = try StreamedRows(trainSplit, blocks: blocks)
            stream = layout
            notes.append("streaming \(trainSplit.name) (\(MemoryBudget.format(trainSplit.inMemoryBytes)) > " +
                         "--memory-budget \(budget)): blocks of \(layout.blockRows.grouped) rows, shuffle windows of " +
                         "\(plan.windowCapacity.grouped) rows, \(streamed.ring) windows in memory " +
                         "(\(MemoryBudget.format(streamed.ringBytes)))")
            if trainSplit.compressesPoorly {
                note("spindle: warning: \(path):\(trainPaths.x) is gzip-compressed to " +
                     "\(Int((trainSplit.compressionRatio * 100).rounded()))% of its size, so inflating it costs the " +
                     "workers more than it saves; store it uncompressed, e.g. h5repack -f \(trainPaths.x):NONE " +
                     "\(path) uncompressed.h5")
            }
            if trainSplit.hasTinyChunks {
                note("spindle: warning: \(path):\(trainPaths.x) is stored in chunks of \(trainSplit.chunkRows ?? 0) " +
                             "row(s) (\(MemoryBudget.format(trainSplit.chunkBytes ?? 0))), so streaming it is slow; " +
                             "rechunk it, e.g. h5repack -l \(trainPaths.x):CHUNK=1024x\(trainSplit.featureCount) " +
                             "\(path) rechunked.h5")
            }
        }
        if DatasetReader.has(file, options.testX) {
            test = try Self.open(path, .init(x: options.testX, y: options.testY), budget: budget, used: &used)
        }
        self.validation = validation
        for other in [test, validation].compactMap({ $0 }) where other.featureCount != trainSplit.featureCount {
            throw SpindleError.invalidData(
                location: other.name + "/x",
                problem: "has \(other.featureCount) features, but the training data has \(trainSplit.featureCount)")
        }
        if let width = trainSplit.targetWidth {
            outputs = width
            for other in [test, validation].compactMap({ $0 }) where other.targetWidth != width {
                throw SpindleError.invalidData(location: other.name + "/y",
                                               problem: "targets do not match the training targets' width \(width)")
            }
        } else {
            let bound = [trainSplit.labelBound, test?.labelBound, validation?.labelBound].compactMap { $0 }.max() ?? 1
            guard bound <= Self.classLimit else {
                throw SpindleError.invalidData(
                    location: trainSplit.name + "/y",
                    problem: "label \(bound - 1) is out of range; expected class indices below \(Self.classLimit)")
            }
            outputs = max(bound, 2)
        }
    }

    /// A validation or test split: whole in memory if it fits the budget left, else streamed.
    private static func open(_ path: String, _ paths: DatasetReader.SplitPaths, budget: MemoryBudget,
                             used: inout Int) throws -> any SequentialRows {
        let split = try StreamedSplit.open(path, paths)
        let rows = try split.rows(within: budget.bytes - used)
        if rows is DatasetSplit { used += split.inMemoryBytes }
        return rows
    }

    /// How many of `count` units --val-fraction holds out; at least 1 and fewer than all.
    private static func heldOut(_ fraction: Double, of count: Int, _ units: String) throws -> Int {
        let held = Int((Double(count) * fraction).rounded())
        guard held > 0, held < count else {
            throw SpindleCLIError("--val-fraction \(fraction) of \(count) \(units) leaves " +
                                  "\(held) validation \(units); expected at least 1 and fewer than all")
        }
        return held
    }
}
