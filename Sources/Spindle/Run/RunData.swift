import HDF5Kit

/// The splits a training run uses, placed under one memory budget (`DataPlacement`) and checked
/// against each other: the same features everywhere, labels or targets that agree.
public final class RunData {
    public let path: String
    /// The training split's batches, from memory or streamed.
    public let train: any TrainingData
    /// The training rows in file order, for the standardisation statistics.
    public let trainRows: any SequentialRows
    public let validation: (any SequentialRows)?
    public let test: (any SequentialRows)?
    /// Classes (labels) or regression targets: the network's output width.
    public let outputs: Int
    /// How the training split is streamed; nil when it is in memory.
    public let stream: TrainingConfig.StreamLayout?
    public let placement: DataPlacement
    /// What a report should say about where the data lives (the streamed training split).
    public private(set) var notes: [String] = []
    /// Things about the file that make training slow, with the command that fixes each.
    public internal(set) var warnings: [String] = []
    /// The file's table schema (`spindle import csv`) and class names, which the model file
    /// keeps for `predict` and `eval` (`RunData+Table.swift`).
    public internal(set) var tableSchema: TableSchema?
    public internal(set) var classNames: [String]?

    /// Most classes accepted; a larger label is almost surely a mistake in the file.
    public static let classLimit = 100_000

    /// Opens and places every split of `source`.
    /// - Parameters:
    ///   - seed: decides the validation hold-out and the streamed order.
    ///   - resumedStream: the resumed checkpoint's layout (`.some(nil)`: it held the training
    ///     split in memory), which fixes the order whatever the budget now.
    /// - Throws: `SpindleError` for a file, dataset or budget that cannot be used;
    ///   `TrainingRunError.validationHoldOut` when the fraction holds out none or all.
    public init(_ source: DataSource, seed: UInt64, batchSize: Int,
                resumedStream: TrainingConfig.StreamLayout?? = nil) throws {
        path = source.path
        let budget = source.memoryBudget
        var placement = DataPlacement(budget: budget)
        let trainSplit = try StreamedSplit.open(path, source.train)
        let file = try DatasetReader.openFile(path)
        let valSplit = DatasetReader.has(file, "/val/x") ? try StreamedSplit.open(path, .named("val")) : nil
        let testSplit = DatasetReader.has(file, source.test.x) ? try StreamedSplit.open(path, source.test) : nil
        let holdsOut = valSplit == nil && source.validationFraction > 0
        // The training split leaves room for the smallest window an evaluation split can be
        // read through (one block), so that a streamed one never reads past the budget.
        let reserved = ([valSplit, testSplit].compactMap { $0 } + (holdsOut ? [trainSplit] : []))
            .map { RowWindow.bytes(rows: $0.blockRows(), featureCount: $0.featureCount,
                                   elementType: $0.elementType, targets: $0.targets) }
            .max() ?? 0
        let inMemory = resumedStream.map { $0 == nil } ?? (trainSplit.inMemoryBytes + reserved <= budget.bytes)
        var validation: (any SequentialRows)? = nil
        // Streamed evaluation splits, made once what is left of the budget is known.
        var pending: [(role: DataPlacement.Role, split: StreamedSplit, blocks: [Range<Int>]?, name: String)] = []
        if inMemory {
            var train = try DatasetReader.load(file, source.train)
            var trainBytes = trainSplit.inMemoryBytes
            if holdsOut {
                // A fixed shuffle of the rows decides the held-out set: same seed, same split.
                let order = Shuffle.permutation(count: train.rows, seed: seed, epoch: 0, purpose: .validationSplit)
                let held = try Self.heldOut(source.validationFraction, of: train.rows, "rows")
                let heldBytes = trainBytes / train.rows * held
                validation = train.subset(Array(order[..<held]).sorted(), name: train.name + "[validation]")
                train = train.subset(Array(order[held...]).sorted(), name: train.name)
                trainBytes -= heldBytes
                placement.entries.append(.init(role: .validation, name: train.name + "[validation]", rows: held,
                                               wholeBytes: heldBytes, residence: .inMemory(bytes: heldBytes)))
            }
            placement.entries.insert(.init(role: .train, name: train.name, rows: train.rows, wholeBytes: trainBytes,
                                           residence: .inMemory(bytes: trainBytes)), at: 0)
            self.train = InMemoryData(train, seed: seed)
            trainRows = train
            stream = nil
        } else {
            let layout = try resumedStream.flatMap { $0 } ?? trainSplit.streamLayout(
                budget: budget, prefetch: source.prefetch, batchSize: batchSize,
                windowRows: source.shuffleWindowRows, reserved: reserved)
            var blocks = StreamPlan.blocks(rows: 0..<trainSplit.rows, blockRows: layout.blockRows)
            if holdsOut {
                // Whole blocks are held out, so that both parts stay chunk-aligned reads.
                let order = Shuffle.permutation(count: blocks.count, seed: seed, epoch: 0, purpose: .validationSplit)
                let held = try Self.heldOut(source.validationFraction, of: blocks.count,
                                            "blocks of \(layout.blockRows) rows")
                pending.append((.validation, trainSplit, order[..<held].sorted().map { blocks[$0] },
                                trainSplit.name + "[validation]"))
                blocks = order[held...].sorted().map { blocks[$0] }
            }
            let plan = StreamPlan(blocks: blocks, windowBlocks: layout.windowBlocks, seed: seed, shuffled: true)
            let streamed = try StreamedData(trainSplit, plan: plan, prefetch: source.prefetch)
            placement.entries.append(.init(role: .train, name: trainSplit.name, rows: plan.rows,
                                           wholeBytes: trainSplit.inMemoryBytes,
                                           residence: .streamed(windowBytes: streamed.ringBytes)))
            train = streamed
            trainRows = try StreamedRows(trainSplit, blocks: blocks)
            stream = layout
            let why = MemoryBudget.format(trainSplit.inMemoryBytes) + (trainSplit.inMemoryBytes <= budget.bytes
                ? " + \(MemoryBudget.format(reserved)) to read the evaluation splits through" : "")
            notes.append("streaming \(trainSplit.name) (\(why) > " +
                         "--memory-budget \(budget)): blocks of \(layout.blockRows.grouped) rows, shuffle windows of " +
                         "\(plan.windowCapacity.grouped) rows, \(streamed.ring) windows in memory " +
                         "(\(MemoryBudget.format(streamed.ringBytes)))")
            warnings += Self.warnings(trainSplit, source)
        }
        // Validation, then test: each whole when it fits what is left.
        var test: (any SequentialRows)? = nil
        for (role, split) in [(DataPlacement.Role.validation, valSplit), (.test, testSplit)] {
            guard let split else { continue }
            if split.inMemoryBytes <= placement.left {
                let rows = try DatasetReader.load(file, split.paths, requireTargets: split.targets != .none)
                placement.entries.append(.init(role: role, name: split.name, rows: split.rows,
                                               wholeBytes: split.inMemoryBytes,
                                               residence: .inMemory(bytes: split.inMemoryBytes)))
                if role == .validation { validation = rows } else { test = rows }
            } else {
                pending.append((role, split, nil, split.name))
            }
        }
        // The rest is read a window at a time, through what every loaded split left.
        let left = placement.left
        for (role, split, blocks, name) in pending {
            let blockRows = blocks?.map(\.count).max() ?? split.blockRows()
            let window = DataPlacement.readWindow(split, blockRows: blockRows, left: left)
            let rows = try StreamedRows(split, blocks: blocks, name: name, windowRows: window)
            placement.entries.append(.init(
                role: role, name: name, rows: rows.rows, wholeBytes: split.inMemoryBytes / split.rows * rows.rows,
                residence: .streamed(windowBytes: RowWindow.bytes(rows: rows.windowRows, featureCount: split.featureCount,
                                                                  elementType: split.elementType, targets: split.targets))))
            if role == .validation { validation = rows } else { test = rows }
        }
        self.validation = validation
        self.test = test
        self.placement = placement
        outputs = try Self.checkAgreement(train: trainSplit, others: [test, validation].compactMap { $0 })
        readTableMetadata(file, features: trainSplit.featureCount, labels: trainSplit.hasLabels)
    }

    /// The output width, after checking that the other splits match the training split.
    private static func checkAgreement(train: StreamedSplit, others: [any SequentialRows]) throws -> Int {
        for other in others where other.featureCount != train.featureCount {
            throw SpindleError.invalidData(
                location: other.name + "/x",
                problem: "has \(other.featureCount) features, but the training data has \(train.featureCount)")
        }
        if let width = train.targetWidth {
            for other in others where other.targetWidth != width {
                throw SpindleError.invalidData(location: other.name + "/y",
                                               problem: "targets do not match the training targets' width \(width)")
            }
            return width
        }
        let bound = ([train.labelBound] + others.map(\.labelBound)).compactMap { $0 }.max() ?? 1
        guard bound <= classLimit else {
            throw SpindleError.invalidData(
                location: train.name + "/y",
                problem: "label \(bound - 1) is out of range; expected class indices below \(classLimit)")
        }
        return max(bound, 2)
    }

    /// How many of `count` units the fraction holds out; at least 1 and fewer than all.
    private static func heldOut(_ fraction: Double, of count: Int, _ units: String) throws -> Int {
        let held = Int((Double(count) * fraction).rounded())
        guard held > 0, held < count else {
            throw TrainingRunError.validationHoldOut(fraction: fraction, count: count, units: units, held: held)
        }
        return held
    }

    /// What makes streaming `split` slow, and how to fix it.
    private static func warnings(_ split: StreamedSplit, _ source: DataSource) -> [String] {
        var warnings: [String] = []
        let x = source.train.x, path = source.path
        if split.compressesPoorly {
            warnings.append("\(path):\(x) is gzip-compressed to \(Int((split.compressionRatio * 100).rounded()))% " +
                            "of its size, so inflating it costs the workers more than it saves; store it " +
                            "uncompressed, e.g. h5repack -f \(x):NONE \(path) uncompressed.h5")
        }
        if split.hasTinyChunks {
            warnings.append("\(path):\(x) is stored in chunks of \(split.chunkRows ?? 0) row(s) " +
                            "(\(MemoryBudget.format(split.chunkBytes ?? 0))), so streaming it is slow; rechunk it, " +
                            "e.g. h5repack -l \(x):CHUNK=\(([1024] + split.sampleShape).map(String.init).joined(separator: "x")) " +
                            "\(path) rechunked.h5")
        }
        return warnings
    }
}
