import Foundation
import Spindle
import Testing

/// A real, tiny scaling measurement: every row measured, its time split complete, the report
/// round-tripping through its JSON with the documented keys.
struct ScalingReportTests {
    /// 8-16-16-3: three dense layers, a millisecond a step.
    static let spec = ModelSpec(inputCount: 8, hiddenSizes: [16, 16], outputCount: 3)

    static func measure(workers: [Int] = [2, 1], repeats: Int = 2) throws -> ScalingReport {
        try ScalingReport.measure(spec: spec, data: makeClassificationSplit(rows: 64, features: 8, classes: 3, seed: 5),
                                  batchSize: 16, optimizer: OptimizerConfig(kind: .adam), workerCounts: workers,
                                  steps: 3, repeats: repeats)
    }

    @Test func tinyMeasurementFillsEveryRow() throws {
        let report = try Self.measure()
        // Counts come back sorted, each with shards = workers.
        #expect(report.rows.map(\.workers) == [1, 2])
        #expect(report.rows.map(\.shards) == [1, 2])
        for row in report.rows {
            #expect(row.samplesPerSecond > 0 && row.samplesPerSecond.isFinite, "\(row)")
            #expect(row.runs.count == 2 && row.runs.allSatisfy { $0 > 0 })
            #expect(row.runs.min()! <= row.samplesPerSecond && row.samplesPerSecond <= row.runs.max()!)
            #expect(abs(row.efficiency - row.speedup / Double(row.workers)) < 1e-12)
            #expect(row.timings.steps == 3 * 2, "timed steps over both repeats, warm-up excluded")
            let t = row.timeSplit
            let parts = [t.forwardBackward, t.gradients, t.optimizer, t.barrierWait, t.dataWait, t.coordinator]
            #expect(parts.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(t)")
            #expect(abs(t.sum - 1) < 1e-9, "fractions add up to 1: \(t)")
            #expect(t.forwardBackward > 0 && t.gradients > 0 && t.optimizer > 0, "\(t)")
        }
        #expect(report.rows[0].speedup == 1 && report.rows[0].efficiency == 1)
        // The fit uses the counts up to the core count; with two of them it exists.
        let cores = WorkerPool.activeProcessorCount
        #expect(report.fittedWorkers == [1, 2].filter { $0 <= cores })
        #expect((report.serialFraction != nil) == (cores >= 2))
        if let f = report.serialFraction {
            #expect(f >= 0 && f <= 1)
            #expect(report.rows[0].amdahlSpeedup == 1)
        }
        let e = report.environment
        #expect(e.architecture == "8-16-16-3" && e.batchSize == 16 && e.steps == 3 && e.repeats == 2)
        #expect(e.warmupSteps == 2 && e.cores == cores && e.optimizer == "adam" && !e.blas.isEmpty)
        #expect(e.parameters == 8 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3)
    }

    @Test func jsonHasTheDocumentedKeysAndRoundTrips() throws {
        let report = try Self.measure(workers: [1, 2], repeats: 1)
        let data = try report.jsonData()
        #expect(try ScalingReport.decode(json: data) == report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["environment", "rows", "fitted_workers"]), "\(object.keys)")
        let environment = try #require(object["environment"] as? [String: Any])
        for key in ["spindle_version", "blas", "cores", "architecture", "batch_size", "steps", "repeats", "shards"] {
            #expect(environment[key] != nil, "environment.\(key)")
        }
        let rows = try #require(object["rows"] as? [[String: Any]])
        for key in ["workers", "shards", "samples_per_second", "speedup", "efficiency", "time_split", "runs"] {
            #expect(rows.first?[key] != nil, "rows[0].\(key)")
        }
        let split = try #require(rows.first?["time_split"] as? [String: Any])
        #expect(Set(split.keys) == ["forward_backward", "gradients", "optimizer", "barrier_wait", "data_wait",
                                    "coordinator"])
    }

    @Test func plotShowsMeasuredIdealAndFit() throws {
        let report = try Self.measure(workers: [1, 2], repeats: 1)
        let plot = report.speedupPlot()
        let names = plot.series.map(\.name)
        #expect(names.first == "measured" && names.contains { $0.hasPrefix("ideal") })
        #expect(names.contains { $0.hasPrefix("Amdahl fit") } == (report.serialFraction != nil))
        #expect(plot.series[0].points.map(\.x) == [1, 2])
        #expect(plot.series[1].style == .dashed)
        _ = try SVGPlotTests.parse(plot.render())
    }

    @Test func batchLargerThanTheDataIsRefused() throws {
        #expect(throws: SpindleError.self) {
            try ScalingReport.measure(spec: Self.spec, data: makeClassificationSplit(rows: 10, features: 8, classes: 3, seed: 1),
                                      batchSize: 16, optimizer: OptimizerConfig(), workerCounts: [1], steps: 1, repeats: 1)
        }
    }
}
