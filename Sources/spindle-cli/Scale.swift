import ArgumentParser
import Foundation
import Spindle

/// `spindle scale`: training throughput, speedup and parallel efficiency at several worker
/// counts, as a table, a JSON report and an SVG plot of speedup against workers.
struct Scale: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training throughput, speedup and parallel efficiency at several worker counts.",
        discussion: """
            Runs the same training steps at each worker count and prints samples/s, the speedup over \
            the first count, the efficiency (speedup / workers × first count), Amdahl's law fitted to \
            the speedups, and where the workers' time goes. Each count uses shards = workers, the \
            fastest cut for that count. Writes PREFIX.json and PREFIX.svg.
            """)

    @Argument(help: "Dataset file (HDF5) whose training split is measured. Default: the bundled data/fashion-mnist-small.h5.")
    var data: String?

    @Option(help: "Training features dataset [N, F].")
    var trainX = "/train/x"

    @Option(help: "Training targets dataset: [N] integer labels or [N, T] floats.")
    var trainY = "/train/y"

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Memory the training split may take, e.g. 512M (default: a quarter of RAM); a larger split is streamed from the file, as train does, and the time spent waiting for it is measured."),
        transform: MemoryBudget.parsingFlag)
    var memoryBudget: MemoryBudget?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Measure on ROWS rows of random data (784 features, 10 classes) instead of a file (default: off).",
        valueName: "rows"))
    var synthetic: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Worker counts to measure, comma-separated, each 1–1024 (default: 1, 2, 4, … up to the core count, and the core count).",
        discussion: "Counts above the core count run, with a warning: their threads share cores.",
        valueName: "counts"))
    var workers: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "MPI rank counts to measure, comma-separated, each 1–1024 (default: this process only).",
        discussion: "Each count R > 1 runs `MPIRUN -np R spindle scale …` (needs the MPI build); every rank runs each of --workers.",
        valueName: "counts"))
    var ranks: String?

    @Option(help: ArgumentHelp(
        "The launcher --ranks runs, with any options of its own, e.g. \"mpirun --hostfile hosts\".",
        valueName: "command"))
    var mpirun = "mpirun"

    // --layers, --activation, --loss and --dropout all change what a step computes; the
    // optimizer's other hyperparameters (betas, momentum, schedules) do not change its cost.
    @OptionGroup var model: ModelOptions
    @OptionGroup var image: ImageOptions

    @Option(help: "Update rule: sgd, momentum, adam or adamw.")
    var optimizer: OptimizerKind = .adam

    @Option(parsing: .unconditional, help: "Learning rate.")
    var lr = 0.001

    @Option(parsing: .unconditional, help: "Rows per minibatch.")
    var batchSize = 256

    @Option(parsing: .unconditional, help: "Timed training steps per measurement (after 2 warm-up steps).")
    var steps = 40

    @Option(parsing: .unconditional, help: "Measurements per worker count, taken in turn across the counts; the table shows their median.")
    var repeats = 3

    @Option(help: ArgumentHelp("Where to write the report: PREFIX.json and PREFIX.svg (replaced atomically if they exist).",
                               valueName: "prefix"))
    var outputPrefix = "scale"

    @Flag(help: "Print the report as one JSON line on stdout instead of the table.")
    var json = false

    /// Largest count accepted; beyond it a typo is likelier than a machine.
    static let workerLimit = WorkerOptions.limit
    static let syntheticFeatures = 784, syntheticClasses = 10

    func validate() throws {
        _ = try workerCounts()
        _ = try rankCounts()
        if mpirun.split(separator: " ").isEmpty {
            throw ValidationError("invalid --mpirun '\(mpirun)': expected a launcher command, e.g. mpirun")
        }
        for (flag, value) in [("steps", steps), ("repeats", repeats)] where value <= 0 {
            throw ValidationError("invalid --\(flag) '\(value)': expected a positive number")
        }
        if let synthetic {
            if data != nil { throw ValidationError("a DATA file and --synthetic \(synthetic) exclude each other; give one") }
            if synthetic < max(batchSize, 1) || synthetic > 10_000_000 {
                throw ValidationError("invalid --synthetic '\(synthetic)': expected a number of rows from --batch-size " +
                                      "(\(batchSize)) to 10,000,000")
            }
        }
        let stem = URL(fileURLWithPath: outputPrefix).lastPathComponent
        if outputPrefix.isEmpty || outputPrefix.hasSuffix("/") || stem == "." || stem == ".." {
            throw ValidationError("invalid --output-prefix '\(outputPrefix)': expected a file name stem, e.g. runs/scale")
        }
        try validating {
            try TrainingConfig(model: try model.layerList(), initialization: model.initialization,
                               optimizer: OptimizerConfig(kind: optimizer, learningRate: lr),
                               batchSize: batchSize).validate()
        }
    }

    /// --workers parsed, or the default: 1, 2, 4, … below the core count, then the core count.
    func workerCounts() throws -> [Int] {
        guard let workers else {
            let cores = WorkerPool.activeProcessorCount
            return Array(Set(sequence(first: 1) { $0 * 2 }.prefix { $0 < cores } + [cores])).sorted()
        }
        return try workers.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let count = Int(text), (1...Self.workerLimit).contains(count) else {
                let entry = text.isEmpty ? "an empty entry" : "'\(text)'"
                throw ValidationError("invalid --workers '\(workers)': \(entry) is not a worker count; " +
                                      "expected counts from 1 to \(Self.workerLimit) separated by commas, e.g. 1,2,4")
            }
            return count
        }
    }

    /// --ranks parsed, or nil.
    func rankCounts() throws -> [Int]? {
        guard let ranks else { return nil }
        return try ranks.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let count = Int(text), (1...Self.workerLimit).contains(count) else {
                let entry = text.isEmpty ? "an empty entry" : "'\(text)'"
                throw ValidationError("invalid --ranks '\(ranks)': \(entry) is not a rank count; " +
                                      "expected counts from 1 to \(Self.workerLimit) separated by commas, e.g. 1,2")
            }
            return count
        }
    }

    func run() throws {
        try reportingErrors {
            if let ranks = try rankCounts() {
                return try ScaleRanks(scale: self, ranks: ranks).run()
            }
            // Under mpirun (as --ranks runs it): every rank measures its share of each batch.
            let world = try World.join()
            let counts = try workerCounts()
            let cores = WorkerPool.activeProcessorCount
            let over = Array(Set(counts.filter { $0 > cores })).sorted()
            if !over.isEmpty {
                note("spindle: warning: --workers \(over.map(String.init).joined(separator: ", ")) " +
                     "\(over.count == 1 ? "is" : "are") more than the \(cores) cores available; " +
                     "measured anyway, with threads sharing cores")
            }
            let paths = (json: outputPrefix + ".json", svg: outputPrefix + ".svg")
            // Fail before measuring, not after, if the report cannot be written.
            if world.isPrimary { try [paths.json, paths.svg].forEach(Self.checkWritable) }
            let prepared = try prepare()  // data mistakes are reported before anything is announced
            if !json {
                note("spindle: measuring at \(Set(counts).count) worker count(s)" +
                     (world.size > 1 ? " on each of \(world.size) ranks" : "") + ", \(repeats) × \(steps) steps each…")
            }
            let report = try measure(prepared, workerCounts: counts, communicator: world)
            guard world.isPrimary else { return World.finish() }
            defer { World.finish() }
            try Self.write(report, json: paths.json, svg: paths.svg)
            if json {
                print(String(decoding: try report.jsonData(pretty: false), as: UTF8.self))
                note("spindle: wrote \(paths.json) and \(paths.svg)")
                return
            }
            ScaleTable.print(report)
            print("wrote \(paths.json) and \(paths.svg)")
        }
    }

    /// This command's model and training split, checked to fit each other and the batch size.
    func prepare() throws -> (spec: ModelSpec, data: ScalingData) {
        let data = try trainingData()
        let split = data.rows
        let outputs = split.targetWidth ?? max(split.labelBound ?? 2, 2)
        let images = try TrainingConfig(model: try model.layerList(), loss: model.loss, inputShape: image.inputShape,
                                        channelsLast: image.channelsLast)
            .resolvingImage(of: split.sampleShape, location: split.name + "/x")
        let spec = ModelSpec(inputCount: split.featureCount, layers: try model.layerList(), outputCount: outputs,
                             loss: model.loss, initialization: model.initialization, inputShape: images.inputShape,
                             inputChannelsLast: images.inputShape != nil && images.channelsLast)
        try ScalingReport.check(spec: spec, data: split, batchSize: batchSize)
        return (spec, data)
    }

    /// Measures the prepared model and data at `workerCounts` workers (per rank).
    func measure(_ prepared: (spec: ModelSpec, data: ScalingData), workerCounts: [Int],
                 communicator: Communicator = SingleProcess()) throws -> ScalingReport {
        let (spec, data) = prepared
        return try ScalingReport.measure(
            spec: spec, data: data, batchSize: batchSize,
            optimizer: OptimizerConfig(kind: optimizer, learningRate: lr), workerCounts: workerCounts,
            steps: steps, repeats: repeats, communicator: communicator)
    }

    /// Writes the report's JSON and plot, each atomically.
    static func write(_ report: ScalingReport, json: String, svg: String) throws {
        try AtomicFile.write(to: json) { temporary in
            do {
                try report.jsonData().write(to: URL(fileURLWithPath: temporary))
            } catch {
                throw SpindleError.cannotWrite(path: json, reason: error.localizedDescription)
            }
        }
        try report.speedupPlot().write(to: svg)
    }

    /// The training split to measure: --synthetic rows, DATA, or the bundled file; streamed, as
    /// `train` would, when it is larger than --memory-budget.
    private func trainingData() throws -> ScalingData {
        if let synthetic {
            return ScalingData(Self.randomSplit(rows: synthetic, features: Self.syntheticFeatures,
                                                classes: Self.syntheticClasses))
        }
        let path = try data ?? BundledData.path()
        let paths = DatasetReader.SplitPaths(x: trainX, y: trainY)
        let split = try StreamedSplit.open(path, paths)
        let budget = memoryBudget ?? .default
        guard split.inMemoryBytes > budget.bytes else {
            return ScalingData(try DatasetReader.load(try DatasetReader.openFile(path), paths))
        }
        let prefetch = 2
        let layout = try split.streamLayout(budget: budget, prefetch: prefetch, batchSize: batchSize)
        let plan = StreamPlan(blocks: StreamPlan.blocks(rows: 0..<split.rows, blockRows: layout.blockRows),
                              windowBlocks: layout.windowBlocks, seed: 1, shuffled: true)
        return try ScalingData(streaming: split, plan: plan, prefetch: prefetch)
    }

    /// Uniform random features in [0, 1) and labels (the values do not change the speed), from
    /// SplitMix64: fast enough for millions of rows, and the same data every run.
    static func randomSplit(rows: Int, features: Int, classes: Int) -> DatasetSplit {
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let x = (0..<(rows * features)).map { _ in Float(next() >> 40) * 0x1p-24 }
        let y = (0..<rows).map { _ in Int32(next() % UInt64(classes)) }
        return DatasetSplit(name: "synthetic(\(rows)×\(features), \(classes) classes)", rows: rows,
                            featureCount: features, features: .float32(x), targets: .labels(y))
    }

    /// The checks `AtomicFile` makes at the end, made before the minutes of measuring.
    static func checkWritable(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SpindleError.cannotWrite(path: path, reason: "directory '\(directory)' does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw SpindleError.cannotWrite(path: path, reason: "directory '\(directory)' is not writable")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SpindleError.cannotWrite(path: path, reason: "it is a directory; expected a file name")
        }
    }
}

/// The human-readable scaling table, columns right-aligned under their headers.
enum ScaleTable {
    static func print(_ report: ScalingReport) {
        let e = report.environment
        Swift.print("\(e.architecture), batch \(e.batchSize), \(e.optimizer); median of \(e.repeats) × \(e.steps) steps " +
                    "per count; each count uses shards = workers (the fastest cut for that count)")
        let header = ["workers", "samples/s", "speedup", "efficiency", "Amdahl fit",
                      "fwd+bwd %", "grads %", "optimizer %", "barrier %", "data %", "coord %"]
        let rows = report.rows.map { r -> [String] in
            let t = r.timeSplit
            return [String(r.workers) + (r.workers > e.cores ? "*" : ""), Int(r.samplesPerSecond.rounded()).grouped, r.speedup.fixed(2),
                    r.efficiency.fixed(2), r.amdahlSpeedup.map { $0.fixed(2) } ?? "—"]
                + [t.forwardBackward, t.gradients, t.optimizer, t.barrierWait, t.dataWait, t.coordinator]
                    .map { (100 * $0).fixed(1) }
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        for line in [header] + rows {
            Swift.print(line.indices.map { line[$0].leftPad(widths[$0]) }.joined(separator: "  "))
        }
        if report.rows.contains(where: { $0.workers > e.cores }) {
            Swift.print("* more workers than the \(e.cores) cores: threads share cores; left out of the Amdahl fit")
        }
        if let f = report.serialFraction {
            Swift.print("serial fraction (Amdahl fit): \(f.fixed(3)); predicted speedup limit 1/f = " +
                        (f > 0 ? (1 / f).fixed(1) : "∞"))
        } else {
            Swift.print("serial fraction (Amdahl fit): — (needs at least two worker counts up to the \(e.cores) cores)")
        }
    }
}
