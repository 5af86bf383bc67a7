import Foundation
import Spindle
import Testing

/// A run's events and what listeners may do with them: the order they come in, checkpoints by
/// the policy, a stop on request (an interrupt to resume from, or a finish, as early stopping
/// asks), and weights a listener restores at the end.
@Suite struct RunEventsTests {
    /// 60 steps an epoch, 2 epochs; checkpoints every 25 steps and at epoch ends.
    @Test func eventsComeInOrder() throws {
        let fixture = try RunFixture()
        let run = try TrainingRun(fixture.setup(checkpoints: "run", every: 25, keep: 2))
        let recorder = EventRecorder()
        run.add(recorder)
        let outcome = try run.run()
        var expected = ["started"]
        for step in 1...120 {
            expected.append("step \(step)")
            if step % 60 == 0 { expected.append("epoch \(step / 60)") }
            if step % 25 == 0 || step % 60 == 0 { expected.append("checkpoint \(step)") }
        }
        expected += ["trainingEnded", "finished"]
        #expect(recorder.events == expected)
        #expect(outcome.stop == nil && outcome.test?.rows == 600)
        #expect(outcome.modelPath == fixture.directory + "/run/model.h5")
        #expect(outcome.timings.steps == 120)
    }

    @Test(arguments: [
        (every: 0, batchInEpoch: 0, step: 60, due: true), (every: 0, batchInEpoch: 7, step: 67, due: false),
        (every: 10, batchInEpoch: 10, step: 70, due: true), (every: 10, batchInEpoch: 11, step: 71, due: false),
    ])
    func checkpointsAreDueAtEpochEndsAndEveryNSteps(every: Int, batchInEpoch: Int, step: Int, due: Bool) {
        var state = TrainingState()
        state.step = step
        state.batchInEpoch = batchInEpoch
        #expect(CheckpointPolicy(directory: "run", every: every).isDue(after: state) == due)
    }

    /// Checkpoints at 25, 50, 60, 75, 100, 120; the newest two are kept.
    @Test func theNewestKCheckpointsAreKept() throws {
        let fixture = try RunFixture()
        _ = try TrainingRun(fixture.setup(checkpoints: "run", every: 25, keep: 2)).run()
        #expect(fixture.checkpoints(in: "run") == ["ckpt-000000100.h5", "ckpt-000000120.h5"])
        let model = try ModelFile.read(from: fixture.directory + "/run/model.h5")
        #expect(model.steps == 120 && model.state?.epoch == 2)
    }

    /// An interrupt ends training after the step with a checkpoint and no test evaluation or
    /// model; resuming from it gives the bits of a run straight through, mid-epoch.
    @Test func anInterruptedRunResumesWithTheSameBits() throws {
        let fixture = try RunFixture()
        let straight = try TrainingRun(fixture.setup())
        _ = try straight.run()

        let first = try TrainingRun(fixture.setup(checkpoints: "run"))
        first.listen { event, run in
            if case let .step(state) = event, state.step == 37 { run.requestStop(.interrupt) }
        }
        let stopped = try first.run()
        #expect(stopped.interrupted && stopped.result.steps == 37)
        #expect(stopped.test == nil && stopped.modelPath == nil)
        #expect(fixture.checkpoints(in: "run").last == "ckpt-000000037.h5")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/run/model.h5"))

        var setup = fixture.setup(checkpoints: "run")
        setup.resume = try ResumePoint.newest(in: fixture.directory + "/run")
        setup.workers = 1
        let resumed = try TrainingRun(setup)
        #expect(resumed.start.step == 37 && resumed.start.batchInEpoch == 37)
        _ = try resumed.run()
        #expect(resumed.trainer.network.parameters.array() == straight.trainer.network.parameters.array())
    }

    /// What early stopping needs: the epoch's report, a stop that ends the run as if its
    /// schedule ended (test evaluation, model file), and weights restored at the end.
    @Test func aListenerCanFinishEarlyAndRestoreTheWeightsItKept() throws {
        let fixture = try RunFixture()
        var config = RunFixture.config
        config.epochs = 5
        let run = try TrainingRun(fixture.setup(config: config, checkpoints: "run"))
        var kept: [Float] = []
        run.listen { event, run in
            switch event {
            case let .epoch(report, _):
                if report.epoch == 1 { kept = run.trainer.network.parameters.array() }
                if report.epoch == 2 { run.requestStop(.finish) }
            case .trainingEnded:
                kept.withUnsafeBufferPointer { run.trainer.network.parameters.copy(from: $0) }
            default:
                break
            }
        }
        let outcome = try run.run()
        #expect(outcome.stop == .finish && !outcome.interrupted)
        #expect(outcome.result.steps == 120, "stopped after the second epoch's last step")
        #expect(outcome.test != nil)
        #expect(fixture.checkpoints(in: "run").last == "ckpt-000000120.h5", "the end's checkpoint")
        let model = try ModelFile.read(from: try #require(outcome.modelPath))
        #expect(model.network.parameters.array() == kept, "the model holds the restored weights")
    }

    /// `RunLog` (spindle train --log): a start line, then one line per epoch with its timings.
    @Test func theLogHasAStartLineAndOneLinePerEpoch() throws {
        let fixture = try RunFixture()
        let run = try TrainingRun(fixture.setup())
        let path = fixture.directory + "/run.jsonl"
        run.add(try RunLog(path: path))
        _ = try run.run()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(lines.map { $0["event"] as? String } == ["start", "epoch", "epoch"])
        #expect(lines[0]["resumed_at_step"] as? Int == 0 && lines[0]["workers"] as? Int == 2)
        #expect(lines[2]["steps"] as? Int == 120)
        #expect((lines[1]["timings"] as? [String: Any])?["steps"] as? Int == 60)
    }

    @Test func aListenersErrorEndsTheRun() throws {
        struct Refused: Error {}
        let fixture = try RunFixture()
        let run = try TrainingRun(fixture.setup())
        run.listen { event, _ in if case let .step(state) = event, state.step == 3 { throw Refused() } }
        #expect(throws: Refused.self) { try run.run() }
    }
}
