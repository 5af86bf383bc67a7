import Foundation
import HDF5Kit

/// A run's JSON-lines log (`spindle train --log FILE`), as a listener: a "start" line with the
/// config and environment, then one "epoch" line per epoch with where its step time went and
/// its gradient diagnostics ("layers", `LayerGradients`), a "warning" line when the run tells one
/// (`RunWarning`), and with --early-stopping an "early_stopping" line naming the best epoch at
/// the end; each line is written (unbuffered) as it happens. Add it on the rank that writes (rank 0).
public final class RunLog: TrainingRunListener {
    private let handle: FileHandle

    /// Creates (or truncates) the log file.
    /// - Throws: `SpindleError.cannotWrite` when it cannot be created.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw SpindleError.cannotWrite(path: path, reason: "cannot create the log file")
        }
        self.handle = handle
    }

    public func handle(_ event: RunEvent, in run: TrainingRun) {
        switch event {
        case .started:
            write(["event": "start", "config": JSONLine.object(run.config), "workers": run.setup.workers,
                   "ranks": run.setup.communicator.size, "data": run.data.path,
                   "spindle_version": BuildInfo.version, "blas": BLAS.description, "blas_core": BLAS.coreName,
                   "hdf5_version": HDF5.libraryVersion, "resumed_at_step": run.start.step])
        case let .epoch(epoch, timings):
            var line = (JSONLine.object(epoch) as? [String: Any] ?? [:]).merging(["event": "epoch"]) { $1 }
            // A C × C matrix per epoch would swamp the log for many classes; eval prints it.
            if var validation = line["validation"] as? [String: Any] {
                validation["confusion"] = nil
                line["validation"] = validation
            }
            // Seconds summed over workers.
            line["timings"] = JSONLine.object(timings)
            write(line)
        case let .trainingEnded(result):
            // Early stopping has put the best epoch's weights back by now (it listens first).
            guard let stopping = run.earlyStopping, let best = stopping.state.bestEpoch else { return }
            write(["event": "early_stopping", "monitor": stopping.config.monitor.rawValue, "best_epoch": best,
                   "best_value": stopping.state.bestValue ?? .nan, "stopped": stopping.state.stopped,
                   "epochs": result.epochs.count, "patience": stopping.config.patience])
        case let .warning(warning):
            write((JSONLine.object(warning) as? [String: Any] ?? [:]).merging(["event": "warning"]) { $1 })
        default:
            break
        }
    }

    private func write(_ object: [String: Any]) {
        handle.write(Data((JSONLine.text(object) + "\n").utf8))
    }
}
