import Foundation
import Spindle
import Testing

/// Resuming continues the same run: only its length (epochs, max steps) and the worker count may
/// change; anything else is refused with a typed error naming every setting that differs.
@Suite struct ResumeRulesTests {
    /// A fixture with a finished one-epoch run's checkpoints in "run".
    static func trained() throws -> (RunFixture, ResumePoint) {
        let fixture = try RunFixture()
        var config = RunFixture.config
        config.epochs = 1
        _ = try TrainingRun(fixture.setup(config: config, checkpoints: "run")).run()
        return (fixture, try ResumePoint.newest(in: fixture.directory + "/run"))
    }

    static func differences(_ config: TrainingConfig, validationFraction: Double = 0) throws -> [String]? {
        let (fixture, point) = try trained()
        var setup = fixture.setup(config: config)
        setup.data.validationFraction = validationFraction
        setup.resume = point
        do {
            _ = try TrainingRun(setup)
            return nil
        } catch let TrainingRunError.incompatibleCheckpoint(path, differences) {
            #expect(path == point.path)
            return differences.map(\.setting)
        }
    }

    @Test func everyDifferingSettingIsNamed() throws {
        var config = RunFixture.config
        config.batchSize = 40
        config.seed = 9
        config.optimizer.learningRate = 0.5
        config.model = [.dense(units: 4), .activation(.relu)]
        #expect(try Self.differences(config) == ["batchSize", "model", "optimizer", "seed"])
    }

    @Test func otherTrainingRowsAreADifferenceToo() throws {
        var config = RunFixture.config
        config.seed = 9
        #expect(try Self.differences(config, validationFraction: 0.1) == ["seed", "trainRows"])
        #expect(try Self.differences(RunFixture.config, validationFraction: 0.1) == ["trainRows"])
    }

    @Test func theErrorSaysWhatDiffersAndWhatMayChange() {
        let error = TrainingRunError.incompatibleCheckpoint(path: "run/ckpt-000000060.h5", differences: [
            .init(setting: "batchSize", saved: "50", now: "40"), .init(setting: "seed", saved: "1", now: "9"),
        ])
        #expect(error.description == "run/ckpt-000000060.h5: was trained with other settings: batchSize 50 → 40; " +
                "seed 1 → 9; resume with the same settings (only --epochs, --max-steps and --workers may change)")
        let rows = TrainingRunError.incompatibleCheckpoint(path: "c.h5", differences: [
            .init(setting: "trainRows", saved: "3000", now: "2700"),
        ])
        #expect(rows.description == "c.h5: was trained on 3000 training rows, this data has 2700")
    }

    /// The length of the run may change, and so may the worker count.
    @Test func theLengthOfTheRunMayChange() throws {
        let (fixture, point) = try Self.trained()
        var config = RunFixture.config
        config.epochs = 3
        config.maxSteps = 150
        var setup = fixture.setup(config: config)
        setup.resume = point
        setup.workers = 1
        let run = try TrainingRun(setup)
        #expect(run.start.step == 60)
        #expect(try run.run().result.steps == 150)
    }
}
