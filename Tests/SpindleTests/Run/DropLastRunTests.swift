import Foundation
import Spindle
import Testing

/// A whole `TrainingRun` with drop-last: streamed under a small budget and resumed mid-epoch from
/// its checkpoint with the same bits; a checkpoint resumed with the other setting refused, naming
/// it; ranks that share each global batch agreeing on it.
@Suite struct DropLastRunTests {
    /// The fixture's 3,000 rows in batches of 70: 42 whole batches (2,940 rows), 60 dropped.
    static var config: TrainingConfig {
        var config = RunFixture.config
        config.batchSize = 70
        config.dropLast = true
        return config
    }

    /// Under a 100 kB budget the training split is streamed (DataPlacementTests).
    @Test func aStreamedRunResumesMidEpochWithTheSameBits() throws {
        let fixture = try RunFixture()
        let straight = try TrainingRun(fixture.setup(config: Self.config, budget: 100_000))
        #expect(straight.config.stream != nil, "the training split is streamed")
        #expect(straight.stepsPerEpoch == 42 && straight.totalSteps == 84)
        let expected = try straight.run()
        #expect(expected.result.steps == 84 && expected.result.samplesTrained == 2 * 2_940)

        let first = try TrainingRun(fixture.setup(config: Self.config, budget: 100_000, checkpoints: "run"))
        first.listen { event, run in
            if case let .step(state) = event, state.step == 55 { run.requestStop(.interrupt) }
        }
        #expect(try first.run().result.steps == 55)
        var setup = fixture.setup(config: Self.config, budget: 100_000, checkpoints: "run")
        setup.resume = try ResumePoint.newest(in: fixture.directory + "/run")
        setup.workers = 1
        let resumed = try TrainingRun(setup)
        #expect(resumed.start.epoch == 1 && resumed.start.batchInEpoch == 13)
        let outcome = try resumed.run()
        #expect(outcome.result.steps == 84)
        #expect(resumed.trainer.network.parameters.array() == straight.trainer.network.parameters.array())
        #expect(outcome.result.epochs.map(\.trainLoss) == expected.result.epochs.map(\.trainLoss))
    }

    /// The checkpoint of a run with `saved`, resumed by a run with `now`: the error, if refused.
    static func resume(saved: Bool, now: Bool) throws -> TrainingRunError? {
        let fixture = try RunFixture()
        var config = Self.config
        config.epochs = 1
        config.dropLast = saved
        _ = try TrainingRun(fixture.setup(config: config, checkpoints: "run")).run()
        config.epochs = 2
        config.dropLast = now
        var setup = fixture.setup(config: config)
        setup.resume = try ResumePoint.newest(in: fixture.directory + "/run")
        do {
            _ = try TrainingRun(setup)
            return nil
        } catch let error as TrainingRunError {
            return error
        }
    }

    /// As another --batch-size would be: it changes the epochs the checkpoint's position counts in.
    @Test(arguments: [(true, false), (false, true)])
    func resumingWithTheOtherSettingIsRefused(saved: Bool, now: Bool) throws {
        let error = try #require(try Self.resume(saved: saved, now: now))
        guard case let .incompatibleCheckpoint(path, differences) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(differences == [.init(setting: "dropLast", saved: "\(saved)", now: "\(now)")])
        #expect(error.description == "\(path): was trained with other settings: dropLast \(saved) → \(now); " +
                "resume with the same settings (only --epochs, --max-steps and --workers may change)")
    }

    @Test func resumingWithTheSameSettingContinues() throws {
        #expect(try Self.resume(saved: true, now: true) == nil)
    }

    @Test func ranksShareTheWholeBatches() throws {
        let fixture = try RunFixture()
        let config = Self.config
        let outcomes = RunRanksTests.run(fixture, adjust: { _, setup in setup.config = config })
        #expect(outcomes.allSatisfy { $0.error == nil && $0.steps == 84 }, "\(outcomes)")
        #expect(outcomes[0].digests.count == 2 && Set(outcomes[0].digests).count == 1)

        let mixed = RunRanksTests.run(fixture, adjust: { rank, setup in
            setup.config = config
            if rank == 1 { setup.config.dropLast = false }
        })
        for outcome in mixed {
            #expect(outcome.error?.hasPrefix("rank 1 started with other settings than rank 0") == true, "\(outcome)")
        }
    }
}
