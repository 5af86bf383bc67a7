/// The checks that keep the ranks of a distributed run (`mpirun -np R spindle train`) training
/// one model: before training, the same settings, data shape and starting weights on every rank;
/// after it, the same weights; between steps, the same decision to stop.
extension TrainingRun {
    /// - Throws: `DistributedError.ranksDisagree`, on every rank, for the first difference.
    func checkRanksAtStart() throws {
        let communicator = setup.communicator
        guard communicator.size > 1 else { return }
        var settings = Digest()
        settings.add(JSONLine.text(["config": JSONLine.object(config)]))
        var shape = Digest()
        for split in [data.trainRows] + [data.validation, data.test].compactMap({ $0 }) {
            shape.add(split.rows)
            shape.add(split.featureCount)
            shape.add(split.labelBound ?? -1)
            shape.add(split.targetWidth ?? -1)
        }
        var weights = Digest()
        weights.add(start.step)
        weights.add(trainer.network.parameters)
        for moment in trainer.engine.moments { weights.add(moment) }
        try RankAgreement.check([
            .init("settings", digest: settings.value,
                  hint: "start every rank with the same flags and --config file (give --shards when hosts have different core counts)"),
            .init("data", digest: shape.value,
                  hint: "every rank must read the same dataset file (copy it to every host, or use a shared file system)"),
            .init("starting weights", digest: weights.value,
                  hint: "every rank must resume from the same checkpoint (put --checkpoint-dir on a shared file system)"),
        ], on: communicator)
    }

    /// Every rank's digest of its weights (FNV-1a of the parameter bytes), in rank order.
    /// - Throws: `DistributedError.weightsDiverged` when any differs from rank 0's.
    func checkRanksAtEnd() throws -> [UInt64] {
        let digests = setup.communicator.allgather(Digest.of(trainer.network.parameters))
        let differing = digests.indices.filter { digests[$0] != digests[0] }
        if !differing.isEmpty { throw DistributedError.weightsDiverged(ranks: differing) }
        return digests
    }

    /// The stop any rank asked for (an interrupt over a finish): all stop after the same step,
    /// or the others would wait for the stopped one forever. One collective per step.
    func agreedStop() -> StopRequest? {
        let communicator = setup.communicator
        let here = localStop
        guard communicator.size > 1 else { return here }
        let votes = communicator.sum([here == .interrupt ? 1 : 0, here == .finish ? 1 : 0])
        return votes[0] > 0 ? .interrupt : votes[1] > 0 ? .finish : nil
    }
}
