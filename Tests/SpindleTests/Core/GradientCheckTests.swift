import Spindle
import SpindleTestSupport
import Testing

/// The engine's gradients against central finite differences of its own loss, for every
/// activation × loss × dropout, on a 5-4-3-3 network small enough to perturb every parameter.
///
/// Tolerance, float32 throughout: the loss L ≈ 1 carries a rounding error of a few ulps
/// (~1e-7·L), so (L(θ+h) − L(θ−h)) / 2h with h = 1e-2 has noise ~1e-5; the truncation error of
/// the central difference is h²/6·|L'''| ~ 2e-5 for these O(1) weights. We allow
/// |fd − g| ≤ 5e-4 + 1e-2·|g|, an order of magnitude above both, yet far below the error of a
/// wrong factor (a missing 1/B, 2, or mask is ≥ 30 % of the gradient).
struct GradientCheckTests {
    enum Targets: String, CaseIterable, Sendable { case labels, regression }

    struct Case: Sendable, CustomTestStringConvertible {
        var activation: Activation
        var loss: LossKind
        var targets: Targets
        var dropout: Double
        var testDescription: String {
            "\(activation) \(loss.rawValue) on \(targets) dropout \(dropout)"
        }
    }

    static let cases: [Case] = Activation.allCases.flatMap { activation in
        [(LossKind.crossEntropy, Targets.labels), (.mse, .regression), (.mse, .labels)].flatMap { loss in
            [0, 0.4].map { Case(activation: activation, loss: loss.0, targets: loss.1, dropout: $0) }
        }
    }

    static let h: Float = 1e-2

    @Test(arguments: cases)
    func engineMatchesFiniteDifferences(_ c: Case) {
        let spec = ModelSpec(inputCount: 5, hiddenSizes: [4, 3], outputCount: 3,
                             activation: c.activation, dropout: c.dropout, loss: c.loss)
        let layout = ParameterLayout(spec)
        var random = SplitMix64(seed: 42)
        var parameters = random.floats(layout.parameterCount, -0.9, 0.9)
        // Non-zero biases, so a bias missing from the forward pass shows.
        for layer in layout.denseLayers {
            for i in layer.biasOffset..<(layer.biasOffset + layer.outputs) {
                parameters[i] = random.uniform(-0.3, 0.3)
            }
        }
        let rows = 6
        let split = c.targets == .labels
            ? makeClassificationSplit(rows: rows, features: 5, classes: 3, seed: 7)
            : makeRegressionSplit(rows: rows, features: 5, width: 3, seed: 7)
        let network = Network(spec: spec, parameters: parameters)
        let engine = StepEngine(network: network, optimizer: OptimizerConfig(kind: .sgd), workers: 2,
                                shards: 2, maxBatch: rows, seed: 3)
        let batch = firstRows(split, rows)
        // Step 5 keys the dropout masks; every evaluation below uses the same step, so the masks,
        // and therefore the function being differentiated, stay fixed.
        engine.step(batch, step: 5, update: nil)
        let analytic = engine.gradients.array()
        #expect(network.parameters.array() == parameters, "update: nil must not touch the parameters")

        func loss() -> Double { engine.step(batch, step: 5, update: nil).meanLoss }
        var numeric: [Double] = []
        for i in 0..<layout.parameterCount {
            let original = network.parameters[i]
            network.parameters[i] = original + Self.h
            let plus = loss()
            network.parameters[i] = original - Self.h
            let minus = loss()
            network.parameters[i] = original
            // Divide by the step actually taken: (θ ± h) rounds in float32.
            let taken = Double(original + Self.h) - Double(original - Self.h)
            numeric.append((plus - minus) / taken)
        }
        expectClose(analytic, numeric, relative: 1e-2, absolute: 5e-4, "∂L/∂θ, \(c.testDescription)")
        // The check is only worth something if the gradients are not all (near) zero.
        #expect(analytic.map(abs).max()! > 1e-2)
    }
}
