import Foundation
import Spindle
import Testing

/// The engine against an independent float64 NumPy implementation (Reference/make_reference.py,
/// which wrote Reference/reference.json): the loss, every gradient, and the parameters after
/// three Adam and three momentum steps, for a 6-5-4-3 network on a batch of 7 rows.
///
/// Tolerance: the engine works in float32 (u = 6e-8) through a few dozen operations per value,
/// so values match the float64 reference to ~1e-6 relative. Small entries that are sums of
/// larger, cancelling terms carry the absolute error of those terms, so each comparison also
/// allows an absolute floor of 1e-5 times the largest reference magnitude in that array.
struct NumpyReferenceTests {
    struct Fixture: Decodable { let cases: [Reference] }

    struct Reference: Decodable, Sendable, CustomTestStringConvertible {
        struct Trajectory: Decodable, Sendable {
            let learning_rate: Double
            let steps: Int
            let parameters: [Double]
            let beta1: Double?, beta2: Double?, epsilon: Double?, momentum: Double?
        }
        let name: String
        let widths: [Int]
        let activation: String
        let loss: String
        let features: [Float]
        let labels: [Int32]
        let parameters: [Float]
        let loss_value: Double
        let gradients: [Double]
        let adam: Trajectory
        let momentum: Trajectory
        var testDescription: String { name }
    }

    static let references: [Reference] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/reference.json")
        do {
            return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).cases
        } catch {
            Issue.record("cannot read \(url.path): \(error)")
            return []
        }
    }()

    /// Guards the parameterized tests below, which would pass vacuously on an empty fixture.
    @Test func fixtureHasBothCases() {
        #expect(Self.references.map(\.name) == ["tanh-cross-entropy", "relu-mse-one-hot"])
    }

    static let relative = 1e-5
    static let floor = 1e-5

    @Test(arguments: references)
    func lossAndGradients(_ r: Reference) throws {
        let (engine, batch) = try make(r, optimizer: OptimizerConfig(kind: .sgd), workers: 3)
        let result = engine.step(batch, step: 0, update: nil)
        expectClose(result.meanLoss, r.loss_value, relative: Self.relative, "\(r.name) loss")
        expectClose(engine.gradients.array(), r.gradients, relative: Self.relative,
                    absolute: Self.floor * r.gradients.map(abs).max()!, "\(r.name) gradients")
    }

    @Test(arguments: references)
    func adamTrajectory(_ r: Reference) throws {
        let t = r.adam
        let config = OptimizerConfig(kind: .adam, learningRate: t.learning_rate, beta1: try #require(t.beta1),
                                     beta2: try #require(t.beta2), epsilon: try #require(t.epsilon))
        try checkTrajectory(r, t, config: config, "Adam")
    }

    @Test(arguments: references)
    func momentumTrajectory(_ r: Reference) throws {
        let t = r.momentum
        let config = OptimizerConfig(kind: .momentum, learningRate: t.learning_rate,
                                     momentum: try #require(t.momentum))
        try checkTrajectory(r, t, config: config, "momentum")
    }

    private func checkTrajectory(_ r: Reference, _ t: Reference.Trajectory, config: OptimizerConfig,
                                 _ what: String) throws {
        let (engine, batch) = try make(r, optimizer: config, workers: 2)
        for step in 0..<t.steps {
            // Adam's bias correction counts steps from 1.
            let scalars = engine.optimizer.scalars(step: step + 1, learningRate: t.learning_rate)
            engine.step(batch, step: step, update: scalars)
        }
        // Parameters move by up to ~0.3 here; a sign flip of one Adam step alone would be 2e-2 off,
        // three orders of magnitude beyond the tolerance (measured errors: ≤ 3e-7).
        expectClose(engine.network.parameters.array(), t.parameters, relative: Self.relative,
                    absolute: Self.floor * t.parameters.map(abs).max()!,
                    "\(r.name) after \(t.steps) \(what) steps")
    }

    /// The reference network, its features as a float32 split with label targets, and the batch
    /// of all its rows in order.
    private func make(_ r: Reference, optimizer: OptimizerConfig, workers: Int) throws
        -> (StepEngine, Batch) {
        let spec = ModelSpec(inputCount: r.widths[0], hiddenSizes: Array(r.widths.dropFirst().dropLast()),
                             outputCount: r.widths.last!,
                             activation: try #require(Activation(rawValue: r.activation)),
                             loss: try #require(LossKind(rawValue: r.loss)))
        let rows = r.labels.count
        let split = DatasetSplit(name: "reference.json:\(r.name)", rows: rows, featureCount: r.widths[0],
                                 features: .float32(r.features), targets: .labels(r.labels))
        let network = Network(spec: spec, parameters: r.parameters)
        let engine = StepEngine(network: network, optimizer: optimizer, workers: workers,
                                shards: workers, maxBatch: rows, seed: 0)
        return (engine, firstRows(split, rows))
    }
}
