import Foundation
import Spindle
import Testing

/// Learning-rate schedules against values computed by hand. The formulas are evaluated in
/// Double, so the tolerance is a few ulps: 1e-12 relative.
struct LearningRateScheduleTests {
    static func rate(_ schedule: LearningRateSchedule, step: Int, base: Double = 0.1,
                     stepsPerEpoch: Int = 10, totalSteps: Int = 104) -> Double {
        schedule.rate(base: base, step: step, stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps)
    }

    @Test func constant() {
        for step in [0, 1, 57, 103, 10_000] {
            #expect(Self.rate(.constant, step: step) == 0.1)
        }
    }

    /// StepLR(step_size = 2 epochs, gamma = 0.5) at 10 steps an epoch: the rate halves at steps
    /// 20, 40, 60, … (the first step of epochs 2, 4, 6, …).
    @Test(arguments: [(0, 0.1), (9, 0.1), (19, 0.1), (20, 0.05), (39, 0.05), (40, 0.025),
                      (95, 0.00625)])
    func stepDecay(step: Int, expected: Double) {
        let schedule = LearningRateSchedule.step(everyEpochs: 2, gamma: 0.5)
        expectClose(Self.rate(schedule, step: step), expected, relative: 1e-12, "step \(step)")
    }

    /// Warm-up over 4 steps to 0.1 (step s gets 0.1·(s + 1)/4, so the first step is not wasted
    /// at rate 0), then cosine from 0.1 to 0.001 over totalSteps − warm-up = 100 steps:
    /// rate = 0.001 + 0.099 · (1 + cos(π · (s − 4)/100)) / 2.
    /// As in Hugging Face's get_cosine_schedule_with_warmup, progress reaches 1 at s = totalSteps,
    /// one past the last step run, so the last step (103) runs slightly above the minimum.
    static let cosineCases: [(step: Int, expected: Double)] = {
        let halfRange = 0.0495, rootHalf = 0.5.squareRoot()
        return [
            (0, 0.025), (1, 0.05), (3, 0.1),
            (4, 0.1),                                           // progress 0
            (29, 0.001 + halfRange * (1 + rootHalf)),           // progress 1/4: cos = √2/2
            (54, 0.0505),                                       // progress 1/2
            (79, 0.001 + halfRange * (1 - rootHalf)),           // progress 3/4
            (103, 0.001 + halfRange * (1 - cos(0.01 * Double.pi))),  // last step: progress 99/100
            (104, 0.001), (500, 0.001),                         // progress clamped at 1
        ]
    }()

    @Test(arguments: cosineCases)
    func cosineWithWarmUp(step: Int, expected: Double) {
        let schedule = LearningRateSchedule.cosine(warmupSteps: 4, minimum: 0.001)
        expectClose(Self.rate(schedule, step: step), expected, relative: 1e-12, "step \(step)")
    }

    /// Without warm-up the first step runs at the base rate, and the rate never increases.
    @Test func cosineWithoutWarmUpDecreases() {
        let schedule = LearningRateSchedule.cosine(warmupSteps: 0, minimum: 0)
        let rates = (0..<50).map { Self.rate(schedule, step: $0, totalSteps: 50) }
        #expect(rates[0] == 0.1)
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 })
        expectClose(rates[25], 0.05, relative: 1e-12, "halfway")
    }
}
