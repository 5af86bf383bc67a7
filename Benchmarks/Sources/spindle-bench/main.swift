import Foundation
import Spindle

// Training throughput against the sgemm ceiling measured in the same run (STYLE.md habit 13).
//
// ceiling  = GFLOP/s of single-threaded BLAS sgemm at exactly the shapes of one training step
//            (forward, backward-data and weight-gradient products of every layer), timed alone
//            (1 thread) and on W threads at once (the ceiling for W workers: what the machine's
//            cores deliver together right now — shared caches, memory, clocks, neighbours);
// achieved = 6 × parameters × samples/s, the usual dense-network step cost (DESIGN.md).
// A step does less than 6·P·B FLOP (layer 0 needs no input gradient), so achieved/ceiling can
// pass 1 when the glue between the GEMMs costs nothing.
//
// Usage: spindle-bench [--layers 512,256] [--batch 256] [--workers 1] [--steps 60] [--repeats 5]
//        spindle-bench --model SPEC [--input-shape C,H,W] [--batch 128] [--workers 2] …
//
// With --model, the ceiling is the step's own GEMM calls at their own shapes (StepProducts), and
// the report adds the share of the step's worker time those GEMMs would take at the ceiling's
// speed: the rest is im2col, pooling, activations, the optimizer and waiting.

struct Arguments {
    var layers = [512, 256]
    var batches = [256]
    var workers = [1]
    var steps = 60
    var repeats = 5
    var model: String? = nil
    var inputShape: [Int] = []
    /// Skip the ceiling (e.g. under a profiler, where only the step's own work matters).
    var ceiling = true

    init() {
        var args = CommandLine.arguments.dropFirst().makeIterator()
        func list(_ s: String?) -> [Int] { (s ?? "").split(separator: ",").compactMap { Int($0) } }
        while let flag = args.next() {
            switch flag {
            case "--layers": layers = list(args.next())
            case "--batch": batches = list(args.next())
            case "--workers": workers = list(args.next())
            case "--steps": steps = Int(args.next() ?? "") ?? steps
            case "--repeats": repeats = Int(args.next() ?? "") ?? repeats
            case "--model": model = args.next()
            case "--input-shape": inputShape = list(args.next())
            case "--no-ceiling": ceiling = false
            default:
                print("usage: spindle-bench [--layers 512,256 | --model SPEC [--input-shape C,H,W]] [--batch 64,256,1024] [--workers 1,2] [--steps N] [--repeats N] [--no-ceiling]")
                exit(flag == "--help" ? 0 : 2)
            }
        }
    }
}

BLASEnvironment.relaunchIfNeeded()
let arguments = Arguments()
BLAS.configureSingleThreaded()
print("BLAS: \(BLAS.description), core \(BLAS.coreName)")
if let model = arguments.model {
    try ModelBench.run(model: model, inputShape: arguments.inputShape, arguments: arguments)
    exit(0)
}
print("model            batch  workers  samples/s  achieved GFLOP/s  ceiling 1 thread  ceiling W threads  vs 1-thread  vs W-thread")
for batch in arguments.batches {
    let spec = ModelSpec(inputCount: 784, hiddenSizes: arguments.layers, outputCount: 10)
    let parameters = ParameterLayout(spec).parameterCount
    let data = Workload.randomSplit(rows: batch * 8, features: 784, classes: 10)
    for workers in arguments.workers {
        var samplesPerSecond: [Double] = [], ceilings: [Double] = [], parallelCeilings: [Double] = []
        var timings = StepTimings()
        // Alternate the two measurements so machine noise affects both alike; report medians.
        for _ in 0..<arguments.repeats {
            ceilings.append(Workload.sgemmCeiling(spec: spec, batch: batch))
            parallelCeilings.append(Workload.sgemmCeiling(spec: spec, batch: batch, threads: workers))
            let run = Workload.trainingThroughput(spec: spec, data: data, batch: batch,
                                                  workers: workers, steps: arguments.steps)
            samplesPerSecond.append(run.samplesPerSecond)
            timings = timings + run.timings
        }
        let rate = samplesPerSecond.median, ceiling = ceilings.median, parallel = parallelCeilings.median
        let achieved = 6 * Double(parameters) * rate / 1e9
        print(String(format: "%-16@ %5d  %7d  %9.0f  %16.1f  %16.1f  %17.1f  %11.2f  %11.2f",
                     spec.architecture as NSString, batch, workers, rate, achieved, ceiling, parallel,
                     achieved / ceiling, achieved / parallel))
        let capacity = timings.wall * Double(workers) / 100
        print(String(format: "    worker time: forward+backward-data %.1f%%, gradients %.1f%%, optimizer %.1f%%, barrier wait %.1f%%, coordinator %.1f%%",
                     timings.forwardBackward / capacity, timings.gradients / capacity, timings.optimizer / capacity,
                     timings.barrierWait / capacity, timings.coordinator * Double(workers) / capacity))
    }
}
