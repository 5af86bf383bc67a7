import Foundation
import Spindle

/// `--model`: training throughput of any layer list, against its own GEMMs timed alone.
enum ModelBench {
    static func run(model: String, inputShape: [Int], arguments: Arguments) throws {
        let image = inputShape.count == 3 ? ImageShape(channels: inputShape[0], height: inputShape[1], width: inputShape[2]) : nil
        let features = image?.count ?? 784
        let spec = ModelSpec(inputCount: features, layers: try ModelSpecParser.parse(model), outputCount: 10, inputShape: image)
        try spec.validateShapes()
        print("model \(model)\(image.map { " on \($0)" } ?? "")")
        print("batch  workers  samples/s  GEMM GFLOP/s in the step  ceiling W threads  GEMM share of worker time  forward+backward-data  gradients  optimizer  barrier wait")
        for batch in arguments.batches {
            let data = Workload.randomSplit(rows: batch * 8, features: features, classes: 10)
            for workers in arguments.workers {
                let products = try StepProducts.of(spec, batch: batch, shards: workers)
                let flops = products.reduce(0) { $0 + $1.flops }
                var rates: [Double] = [], ceilings: [Double] = [], timings = StepTimings()
                for _ in 0..<arguments.repeats {
                    ceilings.append(arguments.ceiling ? StepProducts.ceiling(products, threads: workers).gflops : .nan)
                    let run = Workload.trainingThroughput(spec: spec, data: data, batch: batch, workers: workers,
                                                          steps: arguments.steps)
                    rates.append(run.samplesPerSecond)
                    timings = timings + run.timings
                }
                let rate = rates.median, ceiling = ceilings.median
                let gemm = flops * rate / Double(batch) / 1e9
                let capacity = timings.wall * Double(workers) / 100
                print(String(format: "%5d  %7d  %9.0f  %24.1f  %17.1f  %24.1f%%  %20.1f%%  %8.1f%%  %8.1f%%  %11.1f%%",
                             batch, workers, rate, gemm, ceiling, 100 * gemm / ceiling,
                             timings.forwardBackward / capacity, timings.gradients / capacity,
                             timings.optimizer / capacity, timings.barrierWait / capacity))
            }
        }
    }
}
