import Foundation
import Spindle

/// Progress within an epoch, on stderr. On a terminal one line is redrawn in place (`\r`, then the
/// rest of the line cleared) at most `interval` seconds apart, and the epoch's summary line replaces
/// it; elsewhere (CI, a pipe) plain lines are printed at most every `interval` seconds, never `\r`.
///
/// `SPINDLE_PROGRESS_INTERVAL` (seconds) overrides the interval: 0.1 on a terminal, 10 otherwise.
final class TrainProgress {
    private let enabled: Bool
    private let terminal: Bool
    private let interval: Double
    private let epochs: Int
    private let stepsPerEpoch: Int
    private let totalSteps: Int
    private let hasAccuracy: Bool
    private let started = DispatchTime.now().uptimeNanoseconds
    private var startStep: Int?
    private var lastShown: UInt64
    /// Whether a redrawn line is on screen now.
    private var lineShown = false

    init(quiet: Bool, trainer: Trainer, hasAccuracy: Bool,
         terminal: Bool = isatty(2) == 1, environment: [String: String] = ProcessInfo.processInfo.environment) {
        enabled = !quiet
        self.terminal = terminal
        interval = environment["SPINDLE_PROGRESS_INTERVAL"].flatMap(Double.init).map { max($0, 0) }
            ?? (terminal ? 0.1 : 10)
        epochs = trainer.config.epochs
        stepsPerEpoch = trainer.stepsPerEpoch
        totalSteps = trainer.totalSteps
        self.hasAccuracy = hasAccuracy
        // A terminal shows the first step at once; plain output waits a whole interval.
        lastShown = terminal ? 0 : started
    }

    /// Called after every step; draws or prints when the interval has passed.
    func step(_ state: TrainingState) {
        guard enabled else { return }
        if startStep == nil { startStep = state.step - 1 }
        guard state.batchInEpoch > 0 else { return }  // the epoch ended: its summary line is out
        let now = DispatchTime.now().uptimeNanoseconds
        guard lastShown == 0 || Double(now - lastShown) / 1e9 >= interval else { return }
        lastShown = now
        let elapsed = Double(now - started) / 1e9
        let done = max(state.step - (startStep ?? 0), 1)
        let eta = elapsed / Double(done) * Double(max(totalSteps - state.step, 0))
        let rows = max(state.epochRows, 1)
        let text = TrainProgress.line(
            epoch: state.epoch + 1, of: epochs, step: state.batchInEpoch, of: stepsPerEpoch,
            loss: state.epochLossSum / Double(rows),
            accuracy: hasAccuracy ? Double(state.epochCorrect) / Double(rows) : nil,
            samplesPerSecond: Double(state.epochRows) / max(state.epochSeconds, 1e-9), eta: eta)
        if terminal {
            write("\r" + text + "\u{1B}[K")
            lineShown = true
        } else {
            write(text + "\n")
        }
    }

    /// Removes the redrawn line (before an epoch's summary line, or at the end of the run).
    func clear() {
        guard lineShown else { return }
        write("\r\u{1B}[K")
        lineShown = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// "epoch 3/10  step 120/469  loss 0.4123  acc 0.8512  48,210 samples/s  ETA 0:07"
    /// (no acc for regression targets); the ETA is for the whole run.
    static func line(epoch: Int, of epochs: Int, step: Int, of steps: Int, loss: Double, accuracy: Double?,
                     samplesPerSecond: Double, eta: Double) -> String {
        var line = "epoch \(String(epoch).leftPad(String(epochs).count))/\(epochs)" +
            "  step \(String(step).leftPad(String(steps).count))/\(steps)  loss \(loss.fixed(4))"
        if let accuracy { line += "  acc \(accuracy.fixed(4))" }
        let rate = samplesPerSecond.isFinite ? Int(samplesPerSecond) : 0
        return line + "  \(rate.grouped) samples/s  ETA \(duration(eta))"
    }

    /// 7 → "0:07", 3725 → "1:02:05".
    static func duration(_ seconds: Double) -> String {
        let total = seconds.isFinite ? Int(seconds.rounded()) : 0
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }
}
