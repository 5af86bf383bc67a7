import Foundation
import Spindle
import Testing

/// conv (strides, padding, several input channels, odd image sizes), maxpool and avgpool (with
/// overlapping windows), globalavgpool and flatten against PyTorch's own modules in float64
/// (Reference/make_conv_reference.py, which wrote Reference/conv_reference.json): the loss,
/// every parameter gradient and the evaluation-mode class probabilities, for data stored
/// channels-first and channels-last.
///
/// Tolerance as NormReferenceTests: float32 through a few dozen operations per value matches
/// float64 to ~1e-6 relative; sums of larger cancelling terms carry those terms' absolute error,
/// so each array also allows 1e-5 times its largest magnitude.
struct ConvReferenceTests {
    struct Fixture: Decodable {
        let rows: Int, classes: Int
        let cases: [Reference]
    }

    struct Reference: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let model: String
        let input_shape: [Int]
        let channels_last: Bool
        let features: [Float]
        let labels: [Int32]
        let parameters: [Float]
        let loss_value: Double
        let gradients: [Double]
        let eval_probabilities: [Double]
        var testDescription: String { name }
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/conv_reference.json")
        do {
            return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        } catch {
            preconditionFailure("cannot read \(url.path): \(error)")
        }
    }()

    static func floor(_ values: [Double]) -> Double { 1e-5 * (values.map(abs).max() ?? 0) }

    @Test(arguments: fixture.cases)
    func engineMatchesPyTorch(_ r: Reference) throws {
        let f = Self.fixture
        let image = ImageShape(channels: r.input_shape[0], height: r.input_shape[1], width: r.input_shape[2])
        let spec = ModelSpec(inputCount: image.count, layers: try ModelSpecParser.parse(r.model), outputCount: f.classes,
                             inputShape: image, inputChannelsLast: r.channels_last)
        try spec.validateShapes()
        let split = DatasetSplit(name: "torch:/\(r.name)", rows: f.rows, featureCount: image.count,
                                 features: .float32(r.features), targets: .labels(r.labels))
        let network = Network(spec: spec, parameters: r.parameters)
        let engine = StepEngine(network: network, optimizer: OptimizerConfig(kind: .sgd), workers: 2,
                                shards: 3, maxBatch: f.rows, seed: 0)
        let result = engine.step(firstRows(split, f.rows), step: 0, update: nil)
        expectClose(result.meanLoss, r.loss_value, relative: 1e-6, "loss, \(r.name)")
        expectClose(engine.gradients.array(), r.gradients, relative: 1e-5, absolute: Self.floor(r.gradients),
                    "gradients, \(r.name)")
        let predicted = try Evaluator(network: network, workers: 2, shards: 3).predict(split)
        expectClose(predicted, r.eval_probabilities, relative: 1e-5, absolute: Self.floor(r.eval_probabilities),
                    "evaluation probabilities, \(r.name)")
    }
}
