import Foundation
import Spindle

/// Renders a training run's events as `spindle train` shows them: the header and one line per
/// epoch (`TrainReport`), the progress line (`TrainProgress`), the --log file (`LogFile`) and,
/// at the end, the test metrics.
final class TrainRenderer: TrainingRunListener {
    let report: TrainReport
    let progress: TrainProgress
    let log: LogFile?
    let workers: Int
    let ranks: Int

    init(report: TrainReport, progress: TrainProgress, log: LogFile?, workers: Int, ranks: Int) {
        (self.report, self.progress, self.log, self.workers, self.ranks) = (report, progress, log, workers, ranks)
    }

    func handle(_ event: RunEvent, in run: TrainingRun) {
        switch event {
        case .started:
            report.start(config: run.config, data: run.data, trainer: run.trainer, workers: workers, ranks: ranks)
            log?.writeStart(config: run.config, workers: workers, data: run.data.path, resumedAtStep: run.start.step,
                            ranks: ranks)
        case let .step(state):
            progress.step(state)
        case let .epoch(epoch, timings):
            progress.clear()
            report.epoch(epoch, of: run.config.epochs)
            log?.writeEpoch(epoch, timings: timings)
        case .checkpoint:
            break
        case .trainingEnded:
            progress.clear()
        case let .finished(outcome):
            guard !outcome.interrupted else { return }
            report.finish(result: outcome.result, test: outcome.test, modelPath: outcome.modelPath)
        }
    }
}
