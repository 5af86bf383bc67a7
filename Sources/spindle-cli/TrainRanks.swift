import Foundation
import Spindle

/// The checks that keep the ranks of `mpirun -np R spindle train` training one model: before
/// training, the same settings, data shape and starting weights on every rank; after it, the
/// same weights.
enum TrainRanks {
    /// - Throws: `DistributedError.ranksDisagree`, on every rank, for the first difference.
    static func checkStart(trainer: Trainer, config: TrainingConfig, data: LoadedData, state: TrainingState,
                           communicator: Communicator) throws {
        guard communicator.size > 1 else { return }
        var settings = Digest()
        settings.add(jsonLine(["config": config.jsonObject]))
        var shape = Digest()
        for split in [data.trainRows] + [data.validation, data.test].compactMap({ $0 }) {
            shape.add(split.rows)
            shape.add(split.featureCount)
            shape.add(split.labelBound ?? -1)
            shape.add(split.targetWidth ?? -1)
        }
        var start = Digest()
        start.add(state.step)
        start.add(trainer.network.parameters)
        for moment in trainer.engine.moments { start.add(moment) }
        try RankAgreement.check([
            .init("settings", digest: settings.value,
                  hint: "start every rank with the same flags and --config file (give --shards when hosts have different core counts)"),
            .init("data", digest: shape.value,
                  hint: "every rank must read the same dataset file (copy it to every host, or use a shared file system)"),
            .init("starting weights", digest: start.value,
                  hint: "every rank must resume from the same checkpoint (put --checkpoint-dir on a shared file system)"),
        ], on: communicator)
    }

    /// Every rank's digest of its weights (FNV-1a of the parameter bytes), in rank order.
    /// - Throws: `DistributedError.weightsDiverged` when any differs from rank 0's.
    static func checkEnd(network: Network, communicator: Communicator) throws -> [UInt64] {
        let digests = communicator.allgather(Digest.of(network.parameters))
        let differing = digests.indices.filter { digests[$0] != digests[0] }
        if !differing.isEmpty { throw DistributedError.weightsDiverged(ranks: differing) }
        return digests
    }

    /// Whether any rank was asked to stop (Ctrl-C, SIGTERM): all stop after the same step, or
    /// the others would wait for the stopped one forever.
    static func stopRequested(_ here: Bool, communicator: Communicator) -> Bool {
        communicator.size > 1 ? communicator.any(here) : here
    }
}

extension UInt64 {
    /// 16 hexadecimal digits.
    var hex: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
