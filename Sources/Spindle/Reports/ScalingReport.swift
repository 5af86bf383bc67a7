import Dispatch
import Foundation

/// How training throughput grows with the worker count: the same training steps measured at each
/// count, with speedup, parallel efficiency, where the step's time goes, and Amdahl's law fitted.
///
/// Letters: W workers, W₀ the first (smallest) count measured, R(W) samples/s at W workers.
///
///     speedup    S(W) = R(W) / R(W₀)
///     efficiency E(W) = S(W) · W₀ / W        (1 = every added worker pulled its full weight)
///
/// Each count runs with shards = W, the fastest cut for that count (fewest, largest BLAS calls
/// that keep every worker busy). Results of a run depend on the shard count (README, "How it
/// works"), so this measures speed only; `spindle train` uses a fixed shard count instead.
public struct ScalingReport: Codable, Equatable, Sendable {
    /// What was measured, and on what.
    public struct Environment: Codable, Equatable, Sendable {
        public var spindleVersion: String
        public var blas: String
        public var blasCore: String
        /// Cores this process may use.
        public var cores: Int
        public var architecture: String
        public var parameters: Int
        public var data: String
        public var batchSize: Int
        public var optimizer: String
        /// Timed steps per measurement, after `warmupSteps` untimed ones.
        public var steps: Int
        public var warmupSteps: Int
        /// Measurements per worker count; the rows report their median.
        public var repeats: Int
        /// How each count's steps are cut: "shards = workers".
        public var shards: String
    }

    /// Where the worker time of the steps went, as fractions of W × (step wall time + data wait)
    /// worker-seconds; the six add up to 1 (see `StepTimings`).
    public struct TimeSplit: Codable, Equatable, Sendable {
        /// Phase A: gather, forward, loss, backward-data.
        public var forwardBackward: Double
        /// Phase B: weight and bias gradients.
        public var gradients: Double
        public var optimizer: Double
        /// Idle at the phase barriers (uneven shares, thread wake-up, descheduled threads).
        public var barrierWait: Double
        /// Waiting for the next batch.
        public var dataWait: Double
        /// Serial coordinator work, during which every worker waits.
        public var coordinator: Double

        /// The fractions of `timings` measured with `workers` workers.
        public init(_ t: StepTimings, workers: Int) {
            let w = Double(workers)
            // The serial parts idle every worker, so they count W times.
            let parts = [t.forwardBackward, t.gradients, t.optimizer, t.barrierWait, w * t.dataWait, w * t.coordinator]
            let total = parts.reduce(0, +)
            let f = parts.map { total > 0 ? $0 / total : 0 }
            (forwardBackward, gradients, optimizer, barrierWait, dataWait, coordinator) = (f[0], f[1], f[2], f[3], f[4], f[5])
        }

        public var sum: Double { forwardBackward + gradients + optimizer + barrierWait + dataWait + coordinator }
    }

    /// One worker count's measurement.
    public struct Row: Codable, Equatable, Sendable {
        public var workers: Int
        public var shards: Int
        /// Median over the repeats.
        public var samplesPerSecond: Double
        /// Every repeat's samples/s, in the order measured (the spread shows the noise).
        public var runs: [Double]
        /// R(W) / R(W₀).
        public var speedup: Double
        /// S(W) · W₀ / W.
        public var efficiency: Double
        /// The speedup Amdahl's law predicts with the fitted serial fraction (nil without a fit).
        public var amdahlSpeedup: Double?
        public var timeSplit: TimeSplit
        /// The clocks behind `timeSplit`, summed over every repeat (seconds).
        public var timings: StepTimings
    }

    public var environment: Environment
    /// One per worker count, ascending.
    public var rows: [Row]
    /// Amdahl's serial fraction f of a one-worker step, least-squares fit over the rows of
    /// `fittedWorkers`; nil with fewer than two of them.
    public var serialFraction: Double?
    /// The worker counts the fit used: those up to the core count, since threads beyond it share
    /// cores and are not the added processors Amdahl's law is about.
    public var fittedWorkers: [Int]

    /// Measures training steps at each worker count.
    ///
    /// Every measurement builds a fresh network (seed 1) and engine, runs `warmupSteps` untimed
    /// steps, then times `steps` steps over consecutive batches of a fixed shuffle of `data`.
    /// Repeats visit the counts in turn, reversing the order every other repeat, so drift in the
    /// machine (turbo, other load) falls on every count alike; each row reports the median.
    /// Amdahl's law is fitted to the counts up to the core count (`fittedWorkers`).
    /// - Parameters:
    ///   - workerCounts: sorted and deduplicated; each in 1...1024.
    ///   - clipNorm: global-norm clipping, which adds a reduction and a phase to every step.
    ///   - communicator: the ranks sharing each step (under mpirun: each rank measures its share
    ///     of every batch, and samples/s counts the global batch).
    /// - Throws: `SpindleError.invalidConfig` when `data` has fewer rows than a batch;
    ///   `SpindleError.invalidData` when `data` does not fit `spec` (features, labels, loss).
    public static func measure(spec: ModelSpec, data: DatasetSplit, batchSize: Int, optimizer: OptimizerConfig,
                               workerCounts: [Int], steps: Int, repeats: Int, warmupSteps: Int = 2,
                               clipNorm: Float? = nil,
                               communicator: Communicator = SingleProcess()) throws -> ScalingReport {
        try measure(spec: spec, data: ScalingData(data), batchSize: batchSize, optimizer: optimizer,
                    workerCounts: workerCounts, steps: steps, repeats: repeats, warmupSteps: warmupSteps,
                    clipNorm: clipNorm, communicator: communicator)
    }

    /// As `measure(spec:data:…)` for a split in memory, for data that may be streamed.
    public static func measure(spec: ModelSpec, data: ScalingData, batchSize: Int, optimizer: OptimizerConfig,
                               workerCounts: [Int], steps: Int, repeats: Int, warmupSteps: Int = 2,
                               clipNorm: Float? = nil,
                               communicator: Communicator = SingleProcess()) throws -> ScalingReport {
        let counts = Array(Set(workerCounts)).sorted()
        precondition(!counts.isEmpty && counts.allSatisfy { (1...1024).contains($0) },
                     "ScalingReport: worker counts in 1...1024")
        precondition(batchSize > 0 && steps > 0 && repeats > 0 && warmupSteps >= 0,
                     "ScalingReport: positive batch size, steps and repeats")
        try check(spec: spec, data: data.rows, batchSize: batchSize)
        let measurement = Measurement(spec: spec, data: data, batchSize: batchSize, optimizer: optimizer,
                                      warmupSteps: warmupSteps, steps: steps, clipNorm: clipNorm,
                                      communicator: communicator)
        var rates = [[Double]](repeating: [], count: counts.count)
        var timings = [StepTimings](repeating: StepTimings(), count: counts.count)
        for r in 0..<repeats {
            for i in (r % 2 == 0 ? Array(counts.indices) : counts.indices.reversed()) {
                let run = try measurement.run(workers: counts[i])
                rates[i].append(run.samplesPerSecond)
                timings[i] = timings[i] + run.timings
            }
        }
        let medians = rates.map(median)
        let base = counts[0]
        let speedups = medians.map { $0 / medians[0] }
        let cores = WorkerPool.activeProcessorCount
        let fitted = counts.indices.filter { counts[$0] <= cores }
        let f = Amdahl.serialFraction(workers: fitted.map { counts[$0] }, speedups: fitted.map { speedups[$0] },
                                      baseWorkers: base)
        let rows = counts.indices.map { i in
            Row(workers: counts[i], shards: counts[i], samplesPerSecond: medians[i], runs: rates[i],
                speedup: speedups[i], efficiency: speedups[i] * Double(base) / Double(counts[i]),
                amdahlSpeedup: f.map { Amdahl.speedup(workers: counts[i], serialFraction: $0, baseWorkers: base) },
                timeSplit: TimeSplit(timings[i], workers: counts[i]), timings: timings[i])
        }
        let environment = Environment(
            spindleVersion: BuildInfo.version, blas: BLAS.description, blasCore: BLAS.coreName,
            cores: cores, architecture: spec.architecture,
            parameters: ParameterLayout(spec).parameterCount, data: data.rows.name, batchSize: batchSize,
            optimizer: optimizer.kind.rawValue, steps: steps, warmupSteps: warmupSteps, repeats: repeats,
            shards: "shards = workers")
        return ScalingReport(environment: environment, rows: rows, serialFraction: f,
                             fittedWorkers: fitted.map { counts[$0] })
    }

    /// Checks that `data` can be measured with `spec` in batches of `batchSize` rows (what
    /// `measure` checks first; callers can check before announcing a long measurement).
    /// - Throws: `SpindleError.invalidConfig` when `data` has fewer rows than a batch;
    ///   `SpindleError.invalidData` when `data` does not fit `spec` (features, labels, loss).
    public static func check(spec: ModelSpec, data: any SequentialRows, batchSize: Int) throws {
        // Before any network is planned: a layer that cannot take its input is the user's mistake.
        try spec.validateShapes()
        guard data.rows >= batchSize else {
            throw SpindleError.invalidConfig(setting: "batch-size", found: String(batchSize),
                                             expected: "at most the \(data.rows) rows of \(data.name)")
        }
        guard data.featureCount == spec.inputCount else {
            throw SpindleError.invalidData(location: data.name + "/x",
                                           problem: "has \(data.featureCount) features, but the model expects \(spec.inputCount)")
        }
        if spec.loss == .crossEntropy, !data.hasLabels {
            throw SpindleError.invalidData(
                location: data.name,
                problem: "has float targets, but --loss cross-entropy needs integer class labels (use --loss mse)")
        }
        if let whole = data as? DatasetSplit {
            try DatasetReader.checkLabels(whole, classes: spec.outputCount)
        } else if let bound = data.labelBound, bound > spec.outputCount {
            throw SpindleError.invalidData(location: data.name + "/y",
                                           problem: "label \(bound - 1) is out of range: expected 0..<\(spec.outputCount)")
        }
    }

    /// The middle value; the mean of the two middle values for an even count.
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted(), n = s.count
        guard n > 0 else { return 0 }
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// The report as JSON: snake_case keys (as the CLI's other JSON), sorted, human-readable.
    public func jsonData(pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads what `jsonData()` wrote.
    public static func decode(json: Data) throws -> ScalingReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ScalingReport.self, from: json)
    }

    /// Speedup against workers: measured, ideal (S = W / W₀, dashed) and Amdahl's fit (dotted).
    public func speedupPlot() -> SVGPlot {
        let top = max(rows.map(\.workers).max() ?? 1, 2)
        let base = Double(rows.first?.workers ?? 1)
        var series = [SVGPlot.Series(name: "measured", points: rows.map { (Double($0.workers), $0.speedup) })]
        series.append(SVGPlot.Series(name: base == 1 ? "ideal (S = W)" : "ideal (S = W / \(Int(base)))", points: [(base, 1), (Double(top), Double(top) / base)],
                                     style: .dashed, markers: false))
        if let f = serialFraction, let first = rows.first {
            // A smooth curve: every whole worker count up to the largest measured.
            let points = (first.workers...top).map {
                (Double($0), Amdahl.speedup(workers: $0, serialFraction: f, baseWorkers: first.workers))
            }
            series.append(SVGPlot.Series(name: "Amdahl fit (f = \(String(format: "%.3f", f)))", points: points,
                                         style: .dotted, markers: false))
        }
        let ceiling = max(Double(top) / base, rows.map(\.speedup).max() ?? 1)
        if top > environment.cores {
            // Beyond this line threads share cores: no more processors, whatever the count.
            let cores = Double(environment.cores)
            series.append(SVGPlot.Series(name: "\(environment.cores) cores", points: [(cores, 0), (cores, ceiling * 1.05)],
                                         style: .dashed, markers: false, color: "#999999"))
        }
        return SVGPlot(title: "Training speedup, \(environment.architecture), batch \(environment.batchSize)",
                       x: .init(label: "workers (shards = workers)", range: 0...Double(top), integer: true),
                       y: .init(label: "speedup over \(Int(base)) worker\(base == 1 ? "" : "s")",
                                range: 0...ceiling, integer: false),
                       series: series)
    }
}

/// Amdahl's law: a step whose fraction f cannot be parallelised speeds up on W workers by
///
///     S(W) = 1 / (f + (1 − f) / W),   i.e.   1/S = f · (1 − 1/W) + 1/W.
public enum Amdahl {
    /// S(W) relative to `baseWorkers`: S(W) / S(W₀).
    public static func speedup(workers: Int, serialFraction f: Double, baseWorkers: Int = 1) -> Double {
        func s(_ w: Int) -> Double { 1 / (f + (1 - f) / Double(w)) }
        return s(workers) / s(baseWorkers)
    }

    /// The serial fraction f that fits measured speedups best, in least squares on 1/S.
    ///
    /// With W₀ = 1 the law is a line through the origin in x = 1 − 1/W, y = 1/S − 1/W, so
    /// f = Σxy / Σx². Speedups measured against W₀ > 1 workers follow the same law in w = W/W₀
    /// with the serial fraction g = f / (f + (1 − f)/W₀) of the W₀-worker step; g is fitted the
    /// same way and turned back into f = g / (W₀(1 − g) + g). The result is clamped to [0, 1].
    /// - Parameters:
    ///   - speedups: S(W) / S(W₀) for each entry of `workers`.
    /// - Returns: nil with fewer than two distinct worker counts, or no finite speedups.
    public static func serialFraction(workers: [Int], speedups: [Double], baseWorkers: Int = 1) -> Double? {
        precondition(workers.count == speedups.count, "Amdahl: one speedup per worker count")
        guard Set(workers).count >= 2 else { return nil }
        var sxy = 0.0, sxx = 0.0
        for (w, s) in zip(workers, speedups) where s.isFinite && s > 0 {
            let inverse = Double(baseWorkers) / Double(w)  // 1/w, w = W/W₀
            let x = 1 - inverse, y = 1 / s - inverse
            sxy += x * y
            sxx += x * x
        }
        guard sxx > 0 else { return nil }
        let g = min(1, max(0, sxy / sxx))
        let w0 = Double(baseWorkers)
        return g / (w0 * (1 - g) + g)
    }
}

/// Times training steps for one configuration at any worker count.
private struct Measurement {
    let spec: ModelSpec, data: ScalingData, batchSize: Int, optimizer: OptimizerConfig
    let warmupSteps: Int, steps: Int, clipNorm: Float?
    let communicator: Communicator

    init(spec: ModelSpec, data: ScalingData, batchSize: Int, optimizer: OptimizerConfig,
         warmupSteps: Int, steps: Int, clipNorm: Float?, communicator: Communicator) {
        (self.spec, self.data, self.batchSize, self.optimizer) = (spec, data, batchSize, optimizer)
        (self.warmupSteps, self.steps, self.clipNorm) = (warmupSteps, steps, clipNorm)
        self.communicator = communicator
    }

    func run(workers: Int) throws -> (samplesPerSecond: Double, timings: StepTimings) {
        // Made before the clock starts: thread start-up is not part of a step.
        let engine = StepEngine(network: Network(spec: spec, seed: 1), optimizer: optimizer, workers: workers,
                                shards: workers, maxBatch: batchSize, seed: 1,
                                communicator: communicator)
        let loader = try data.loader()
        loader.attach(engine.pool)
        // Whole batches only, epoch after epoch, as many epochs as the steps need.
        let batches = data.rows.rows / batchSize, total = warmupSteps + steps
        try loader.start(epoch: 0, index: 0, batchSize: batchSize, epochs: (total + batches - 1) / batches,
                         dropLast: true)
        defer { loader.stop() }
        var dataWait = 0.0, loaderWork = 0.0
        func step(_ k: Int) throws {
            let fetched = DispatchTime.now().uptimeNanoseconds
            let batch = try loader.batch(epoch: k / batches, index: k % batches, batchSize: batchSize)
            dataWait += Double(DispatchTime.now().uptimeNanoseconds - fetched) * 1e-9
            let scalars = engine.optimizer.scalars(step: k + 1, learningRate: optimizer.learningRate)
            engine.step(batch, step: k, update: scalars, clipNorm: clipNorm)
            loaderWork += try loader.finished(epoch: k / batches, index: k % batches, batchSize: batchSize)
        }
        for k in 0..<warmupSteps { try step(k) }
        engine.timings = StepTimings()
        (dataWait, loaderWork) = (0, 0)
        let start = DispatchTime.now().uptimeNanoseconds
        for k in warmupSteps..<total { try step(k) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        var timings = engine.timings
        timings.dataWait += dataWait
        timings.wall += dataWait
        timings.loaderWork += loaderWork
        return (Double(steps * batchSize) / seconds, timings)
    }
}
