import Foundation
import Spindle
import Testing

/// layernorm, batchnorm, gelu, silu, leaky_relu and a residual block against an independent
/// float64 NumPy implementation (Reference/make_norm_reference.py, which wrote
/// Reference/norm_reference.json): the loss, every parameter gradient, and for batchnorm the
/// running statistics after one training step and the evaluation-mode class probabilities
/// that use them.
///
/// Tolerance as NumpyReferenceTests: float32 through a few dozen operations per value matches
/// float64 to ~1e-6 relative; entries that are sums of larger cancelling terms carry those
/// terms' absolute error, so each array also allows 1e-5 times its largest magnitude.
struct NormReferenceTests {
    struct Fixture: Decodable {
        let rows: Int, features: Int, classes: Int
        let cases: [Reference]
    }

    struct Reference: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let features: [Float]
        let labels: [Int32]
        let parameters: [Float]
        let loss_value: Double
        let gradients: [Double]
        let running_mean: [Double]?
        let running_var: [Double]?
        let eval_probabilities: [Double]?
        var testDescription: String { name }
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/norm_reference.json")
        do {
            return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        } catch {
            preconditionFailure("cannot read \(url.path): \(error)")
        }
    }()

    /// The models the script computes, by case name.
    static let models = [
        "layernorm_gelu": "layernorm,gelu",
        "batchnorm_silu": "batchnorm,silu",
        "residual_layernorm": "dense(4),residual(layernorm,dense(4),leaky_relu(0.1))",
    ]

    static func floor(_ values: [Double]) -> Double { 1e-5 * (values.map(abs).max() ?? 0) }

    @Test(arguments: fixture.cases)
    func engineMatchesNumPy(_ r: Reference) throws {
        let f = Self.fixture
        let spec = ModelSpec(inputCount: f.features, layers: try ModelSpecParser.parse(Self.models[r.name]!),
                             outputCount: f.classes)
        let split = DatasetSplit(name: "numpy:/\(r.name)", rows: f.rows, featureCount: f.features,
                                 features: .float32(r.features), targets: .labels(r.labels))
        let network = Network(spec: spec, parameters: r.parameters)
        let engine = StepEngine(network: network, optimizer: OptimizerConfig(kind: .sgd), workers: 2,
                                shards: 3, maxBatch: f.rows, seed: 0)
        let result = engine.step(firstRows(split, f.rows), step: 0, update: nil)
        expectClose(result.meanLoss, r.loss_value, relative: 1e-6, "loss, \(r.name)")
        expectClose(engine.gradients.array(), r.gradients, relative: 1e-5, absolute: Self.floor(r.gradients),
                    "gradients, \(r.name)")
        guard let mean = r.running_mean, let variance = r.running_var, let probabilities = r.eval_probabilities else { return }
        let group = network.layout.groups[0]
        expectClose(network.values(group.tensor("running_mean")!), mean, relative: 1e-5, absolute: Self.floor(mean),
                    "running_mean after one step")
        expectClose(network.values(group.tensor("running_var")!), variance, relative: 1e-5, absolute: Self.floor(variance),
                    "running_var after one step")
        let predicted = try Evaluator(network: network, workers: 2, shards: 3).predict(split)
        expectClose(predicted, probabilities, relative: 1e-5, absolute: Self.floor(probabilities),
                    "evaluation probabilities (running statistics)")
    }
}
