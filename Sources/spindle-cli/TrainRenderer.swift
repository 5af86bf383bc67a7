import Foundation
import Spindle

/// Renders a training run's events as `spindle train` shows them: the header and one line per
/// epoch (`TrainReport`), the progress line (`TrainProgress`) and, at the end, the test
/// metrics. (The --log file is the library's `RunLog`.)
final class TrainRenderer: TrainingRunListener {
    let report: TrainReport
    let progress: TrainProgress
    let workers: Int
    let ranks: Int

    init(report: TrainReport, progress: TrainProgress, workers: Int, ranks: Int) {
        (self.report, self.progress, self.workers, self.ranks) = (report, progress, workers, ranks)
    }

    func handle(_ event: RunEvent, in run: TrainingRun) {
        switch event {
        case .started:
            report.start(config: run.config, data: run.data, trainer: run.trainer, workers: workers, ranks: ranks)
        case let .step(state):
            progress.step(state)
        case let .epoch(epoch, _):
            progress.clear()
            report.epoch(epoch, of: run.config.epochs)
        case let .warning(warning):
            progress.clear()
            report.warning(warning)
        case .checkpoint:
            break
        case .trainingEnded:
            progress.clear()
        case let .finished(outcome):
            guard !outcome.interrupted else { return }
            report.finish(result: outcome.result, test: outcome.test, modelPath: outcome.modelPath,
                          earlyStopping: run.earlyStopping, classNames: run.data.classNames)
        }
    }
}
