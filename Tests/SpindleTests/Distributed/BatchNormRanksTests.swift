import Spindle
import Testing

/// batchnorm across ranks (SyncBatchNorm's semantics), ranks as threads (`ThreadRanks`): the
/// statistics are the global batch's, so R ranks train what one process trains on the whole
/// batch, running statistics included, to rounding; every rank holds the same bits, run after
/// run and for any worker count.
@Suite struct BatchNormRanksTests {
    /// Batchnorm on the input, after activations and inside a block, with dropout keyed by global
    /// rows. The split is DataParallelStepTests': 203 rows in batches of 50, so the last batch has
    /// 3 rows and with 4 ranks one rank has none (it still takes part in every allreduce).
    static let afterActivations = "batchnorm,dense(32),relu,dropout(0.1),residual(batchnorm,dense(32),tanh),dense(16),gelu,batchnorm"
    /// A dense layer straight into batchnorm: the normalisation removes its bias from the loss,
    /// so that bias's gradient is 0 up to rounding, in one process and across ranks alike, and
    /// Adam (which divides by the gradient's own size) would turn that noise into steps of the
    /// learning rate, different ones for different rounding. With momentum SGD the noise stays
    /// noise, so this case checks what the other cannot: the statistics' gradient through such a
    /// layer.
    static let denseIntoBatchnorm = "dense(32),batchnorm,relu,residual(batchnorm,dense(32),tanh),dense(16),batchnorm,gelu"

    static func config(_ model: String, optimizer: OptimizerKind, clip: Double? = nil) throws -> TrainingConfig {
        TrainingConfig(model: try ModelSpecParser.parse(model),
                       optimizer: OptimizerConfig(kind: optimizer, learningRate: 0.01), batchSize: 50, epochs: 2,
                       clipNorm: clip, seed: 3, shards: 2)
    }

    @Test(arguments: [(afterActivations, OptimizerKind.adam, nil), (denseIntoBatchnorm, .momentum, 0.5)]
          as [(String, OptimizerKind, Double?)])
    func ranksAgreeWithOneProcess(model: String, optimizer: OptimizerKind, clip: Double?) throws {
        let config = try Self.config(model, optimizer: optimizer, clip: clip)
        let single = DataParallelStepTests.train(config, ranks: 1)[0]
        for ranks in [2, 3, 4] {
            let outcomes = DataParallelStepTests.train(config, ranks: ranks)
            for (rank, outcome) in outcomes.enumerated() {
                expectBitIdentical(outcome.parameters, outcomes[0].parameters, "rank \(rank) of \(ranks) vs rank 0")
            }
            // The parameters include every batchnorm's running mean and variance. Tolerance as
            // DataParallelStepTests (and the MPI runs): the ranks' partial sums of dW add the
            // batch's rows in another order; the statistics themselves are summed in Double and
            // differ by far less.
            let difference = DataParallelStepTests.relativeDifference(outcomes[0].parameters, single.parameters)
            #expect(difference < 1e-5, "\(ranks) ranks vs 1 process: relative difference \(difference)")
            for (a, b) in zip(outcomes[0].losses, single.losses) {
                #expect(abs(a - b) <= 1e-5 * abs(b), "epoch loss \(a) with \(ranks) ranks vs \(b)")
            }
        }
    }

    @Test func sameBitsRunAfterRunAndForAnyWorkerCount() throws {
        let config = try Self.config(Self.denseIntoBatchnorm, optimizer: .adam)
        let first = DataParallelStepTests.train(config, ranks: 2, workers: 1)
        let again = DataParallelStepTests.train(config, ranks: 2, workers: 1)
        let moreWorkers = DataParallelStepTests.train(config, ranks: 2, workers: 3)
        expectBitIdentical(again[0].parameters, first[0].parameters, "second run")
        expectBitIdentical(moreWorkers[0].parameters, first[0].parameters, "3 workers per rank")
        #expect(again[0].losses == first[0].losses)
    }
}
