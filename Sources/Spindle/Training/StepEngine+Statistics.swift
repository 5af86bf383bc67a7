/// Phase A's reductions over the batch's rows for a layer with `needsRowStatistics` (batch
/// normalisation): a pass of a few rounds of sums (`Layer.statisticsRounds`), each feature's sum
/// taken over the rows in row order by whichever worker owns its feature tile.
///
/// Letters: S shards, R ranks; C a layer's statistics features (batchnorm: channels).
///
///     one process   one pool pass over the S feature tiles runs every round and the finish,
///                   tile by tile (a feature's rounds need only that feature's sums): 1 barrier
///     R ranks       per round: a pool pass over the feature tiles (1 barrier), then one
///                   allreduce of the round's sums (Doubles) on the coordinator, so that the
///                   next round and the finish see the global batch's; then the finish, O(C),
///                   on the coordinator
///
/// Sums in Double, added up over the ranks as Doubles, and the mean taken from the global sum:
/// the statistics differ from one process's only by the order of Double additions (ranks'
/// partial sums), far below Float's resolution, however the rows are split.
extension StepEngine {
    /// Runs `pass` of layer `l` over phase A's rows (this process's), and across ranks makes its sums
    /// the global batch's. Every rank must call it for the same layers in the same order (it is
    /// a collective), also a rank whose share of the batch is empty.
    func reduceStatistics(_ pass: StatisticsPass, layer l: Int) {
        let layer = layers[l], io = workspace.io[l], rounds = layer.statisticsRounds(pass)
        guard communicator.size > 1 else {
            dispatch(.statistics(pass, layer: l, rounds: 0..<rounds, finishes: true))
            return
        }
        for round in 0..<rounds {
            dispatch(.statistics(pass, layer: l, rounds: round..<(round + 1), finishes: false))
            let start = WorkerClocks.now()
            communicator.allreduceSum(layer.statisticsSums(pass, round: round, io))
            statisticsExchange += Double(WorkerClocks.now() - start) * 1e-9
        }
        layer.finishStatistics(pass, io, features: 0..<layer.statisticsUnits, context: phase.context)
    }
}
