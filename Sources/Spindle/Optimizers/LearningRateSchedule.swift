import Foundation

/// How the learning rate changes over training, as a pure function of the step number.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// The base rate throughout.
    case constant
    /// Multiply by `gamma` every `everyEpochs` epochs (torch.optim.lr_scheduler.StepLR).
    case step(everyEpochs: Int, gamma: Double)
    /// Linear warm-up over `warmupSteps`, then cosine decay that would reach `minimum` one step
    /// after the last (the schedule of Loshchilov & Hutter's SGDR without restarts, as Hugging
    /// Face's get_cosine_schedule_with_warmup).
    case cosine(warmupSteps: Int, minimum: Double)

    /// The learning rate for 0-based step `step`.
    /// - Parameters:
    ///   - base: the configured learning rate.
    ///   - stepsPerEpoch: batches in one epoch.
    ///   - totalSteps: steps the whole run will take.
    public func rate(base: Double, step: Int, stepsPerEpoch: Int, totalSteps: Int) -> Double {
        switch self {
        case .constant:
            return base
        case let .step(everyEpochs, gamma):
            let epoch = step / max(stepsPerEpoch, 1)
            return base * pow(gamma, Double(epoch / max(everyEpochs, 1)))
        case let .cosine(warmupSteps, minimum):
            if step < warmupSteps {
                return base * Double(step + 1) / Double(warmupSteps)
            }
            let span = max(totalSteps - warmupSteps, 1)
            let progress = min(Double(step - warmupSteps) / Double(span), 1)
            return minimum + (base - minimum) * 0.5 * (1 + cos(Double.pi * progress))
        }
    }
}
