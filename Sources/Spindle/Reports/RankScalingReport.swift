import Foundation

/// Throughput over ranks × workers: `ScalingReport`s measured with 1, 2, … MPI ranks (each rank
/// running W workers) put on one scale.
///
/// Letters: R ranks, W workers per rank, R·W the cores a point uses, X(R, W) samples/s.
///
///     speedup    S = X(R, W) / X(R₀, W₀)            (the first point: fewest ranks, then workers)
///     efficiency E = S · R₀·W₀ / (R·W)
///
/// Each rank count is its own `mpirun`, so unlike the worker counts of one `ScalingReport` its
/// repeats are not interleaved with the other rank counts'.
public struct RankScalingReport: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var ranks: Int
        public var workers: Int
        /// R · W.
        public var cores: Int
        /// Median over the repeats, of the global batch's rows.
        public var samplesPerSecond: Double
        public var runs: [Double]
        public var speedup: Double
        public var efficiency: Double
        /// Seconds per step rank 0 spent in the gradient allreduce (waiting for the slowest rank
        /// included).
        public var allreduceSecondsPerStep: Double
        /// Rank 0's time split and clocks.
        public var timeSplit: ScalingReport.TimeSplit
        public var timings: StepTimings
    }

    /// Of the first rank count's report; `cores` is one rank's.
    public var environment: ScalingReport.Environment
    /// Ascending by ranks, then workers.
    public var points: [Point]

    /// - Parameter reports: one report per rank count, each measured under `mpirun -np ranks`
    ///   (or in this process for 1 rank).
    public init(combining reports: [(ranks: Int, report: ScalingReport)]) {
        precondition(!reports.isEmpty, "RankScalingReport: at least one report")
        let sorted = reports.sorted { $0.ranks < $1.ranks }
        environment = sorted[0].report.environment
        var points: [Point] = []
        for (ranks, report) in sorted {
            for row in report.rows {
                let steps = max(row.timings.steps, 1)
                points.append(Point(ranks: ranks, workers: row.workers, cores: ranks * row.workers,
                                    samplesPerSecond: row.samplesPerSecond, runs: row.runs, speedup: 1, efficiency: 1,
                                    allreduceSecondsPerStep: row.timings.communication / Double(steps),
                                    timeSplit: row.timeSplit, timings: row.timings))
            }
        }
        let base = points[0]
        for i in points.indices {
            points[i].speedup = points[i].samplesPerSecond / base.samplesPerSecond
            points[i].efficiency = points[i].speedup * Double(base.cores) / Double(points[i].cores)
        }
        self.points = points
    }

    /// The report as JSON, snake_case keys, sorted.
    public func jsonData(pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Speedup against the cores used (R · W), one line per rank count, and the ideal.
    public func speedupPlot() -> SVGPlot {
        let base = Double(points[0].cores)
        let top = Double(max(points.map(\.cores).max() ?? 1, 2))
        var series = Dictionary(grouping: points, by: \.ranks).sorted { $0.key < $1.key }.map { ranks, points in
            SVGPlot.Series(name: "\(ranks) rank\(ranks == 1 ? "" : "s")",
                           points: points.map { (Double($0.cores), $0.speedup) })
        }
        series.append(SVGPlot.Series(name: "ideal", points: [(base, 1), (top, top / base)], style: .dashed, markers: false))
        let ceiling = max(top / base, points.map(\.speedup).max() ?? 1)
        return SVGPlot(title: "Training speedup over ranks × workers, \(environment.architecture), batch \(environment.batchSize)",
                       x: .init(label: "cores used (ranks × workers)", range: 0...top, integer: true),
                       y: .init(label: "speedup over \(points[0].ranks) × \(points[0].workers)", range: 0...ceiling),
                       series: series)
    }
}
