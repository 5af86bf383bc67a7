import Foundation
import Spindle
import Testing

/// The ranks of a distributed run (here threads, `ThreadRanks`) agree before training, train one
/// model, and stop together when any one of them is asked to.
@Suite struct RunRanksTests {
    struct Outcome: Sendable {
        var steps = 0
        var digests: [UInt64] = []
        var error: String?
    }

    /// Each rank's `TrainingRun` of the fixture, with `adjust` applied to its setup first.
    static func run(_ fixture: RunFixture, ranks: Int = 2,
                    adjust: @escaping @Sendable (Int, inout TrainingRun.Setup) -> Void = { _, _ in },
                    listen: @escaping @Sendable (Int, TrainingRun) -> Void = { _, _ in }) -> [Outcome] {
        let setup = fixture.setup()
        return ThreadRanks(size: ranks).run { communicator in
            var mine = setup
            mine.communicator = communicator
            mine.workers = 1
            adjust(communicator.rank, &mine)
            do {
                let run = try TrainingRun(mine)
                listen(communicator.rank, run)
                let outcome = try run.run()
                return Outcome(steps: outcome.result.steps, digests: outcome.weightDigests)
            } catch {
                return Outcome(error: "\(error)")
            }
        }
    }

    @Test func ranksTrainOneModel() throws {
        let fixture = try RunFixture()
        let outcomes = Self.run(fixture)
        #expect(outcomes.allSatisfy { $0.error == nil && $0.steps == 120 }, "\(outcomes)")
        #expect(outcomes[0].digests.count == 2 && Set(outcomes[0].digests).count == 1)
    }

    @Test func ranksWithOtherSettingsAreRefusedOnEveryRank() throws {
        let fixture = try RunFixture()
        let outcomes = Self.run(fixture, adjust: { rank, setup in if rank == 1 { setup.config.seed = 99 } })
        for outcome in outcomes {
            #expect(outcome.error?.hasPrefix("rank 1 started with other settings than rank 0") == true, "\(outcome)")
        }
    }

    /// A stop asked for on rank 1 alone stops both after the same step (else rank 0 would wait
    /// for it in the next step's collective forever).
    @Test func aStopOnOneRankStopsEveryRank() throws {
        let fixture = try RunFixture()
        let outcomes = Self.run(fixture, listen: { rank, run in
            guard rank == 1 else { return }
            run.listen { event, run in if case let .step(state) = event, state.step == 30 { run.requestStop(.finish) } }
        })
        #expect(outcomes.map(\.steps) == [30, 30], "\(outcomes)")
        #expect(outcomes.allSatisfy { $0.error == nil && Set($0.digests).count == 1 })
    }
}
