import Foundation
import Spindle
import Testing

/// The vanishing-gradient warning: the first quarter's mean gradient norm against the last
/// quarter's, below 1e-3; told once a run, after the epoch that showed it, in its events and
/// its outcome.
@Suite struct VanishingGradientTests {
    static func layers(_ norms: [Double]) -> [LayerGradients] {
        norms.enumerated().map { LayerGradients(layer: "0\($0.offset)_dense", gradientNorm: $0.element, weightNorm: 1, updateRatio: 0) }
    }

    @Test func comparesTheFirstQuarterWithTheLast() throws {
        // Eight layers: quarters of two. (1e-6 + 3e-6) / 2 over (1 + 3) / 2.
        #expect(VanishingGradients.ratio(Self.layers([1e-6, 3e-6, 5, 5, 5, 5, 1, 3])) == 1e-6)
        // Three layers: the first against the last.
        #expect(VanishingGradients.ratio(Self.layers([2, 100, 4])) == 0.5)
        #expect(VanishingGradients.ratio(Self.layers([2])) == nil, "one layer: nothing to compare")
        #expect(VanishingGradients.ratio(Self.layers([2, 0])) == nil, "no gradient at the end: no ratio")
        #expect(VanishingGradients.warning(Self.layers([1e-3, 1]), epoch: 1) == nil, "at the threshold: no warning")

        let warning = try #require(VanishingGradients.warning(Self.layers([1e-9, 2e-9, 1, 1, 1, 1, 0.2, 0.4]), epoch: 3))
        #expect(warning.kind == .vanishingGradients && warning.epoch == 3)
        #expect(abs(warning.value - 5e-9) < 1e-20)
        #expect(warning.message == "vanishing gradients: after epoch 3 the first layers' gradient norms (00_dense…01_dense, " +
                "mean 1.5e-09) are 5e-09 × the last layers' (06_dense…07_dense, mean 0.3), below 0.001: the first layers " +
                "barely learn. Remedies: residual blocks with normalisation (e.g. --model " +
                "\"dense(128),repeat(20,residual(layernorm,dense(128),relu))\"), relu instead of sigmoid or tanh, --init he")
    }

    /// A twelve-layer sigmoid stack warns once, right after its first epoch; the same depth in
    /// pre-norm residual blocks does not.
    @Test(arguments: [("dense(16),repeat(12,dense(16),sigmoid)", true),
                      ("dense(16),repeat(12,residual(layernorm,dense(16),relu))", false)])
    func aRunWarnsOnce(model: String, warns: Bool) throws {
        let fixture = try RunFixture()
        var config = RunFixture.config
        config.model = try ModelSpecParser.parse(model)
        config.optimizer = OptimizerConfig(kind: .sgd, learningRate: 0.1)
        let run = try TrainingRun(fixture.setup(config: config))
        let recorder = EventRecorder()
        run.add(recorder)
        let outcome = try run.run()
        let tail = recorder.events.filter { !$0.hasPrefix("step") }
        #expect(tail == ["started", "epoch 1"] + (warns ? ["warning vanishing-gradients"] : []) +
                ["epoch 2", "trainingEnded", "finished"])
        #expect(outcome.warnings.map(\.kind) == (warns ? [.vanishingGradients] : []))
        let layers = try #require(outcome.result.epochs[0].layers)
        let ratio = try #require(VanishingGradients.ratio(layers))
        #expect(warns ? ratio < 1e-5 : ratio > 1e-2, "ratio \(ratio)")
    }
}
