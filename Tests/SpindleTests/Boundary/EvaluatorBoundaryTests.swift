import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// `Evaluator` refuses rows that do not fit its network, for evaluation and prediction alike, in
/// memory and streamed: before these checks a label ≥ the output count was read and written out
/// of bounds by the loss kernel, and features of another width were read past their rows.
@Suite struct EvaluatorBoundaryTests {
    static func classifier() -> Evaluator {
        Evaluator(network: Network(spec: ModelSpec(inputCount: 3, hiddenSizes: [4], outputCount: 3), seed: 1),
                  workers: 1, shards: 2)
    }

    static func regression(outputs: Int) -> Evaluator {
        Evaluator(network: Network(spec: ModelSpec(inputCount: 3, hiddenSizes: [4], outputCount: outputs, loss: .mse),
                                   seed: 1), workers: 1, shards: 2)
    }

    @Test func featuresOfAnotherWidthAreRefused() {
        let wide = labelledSplit("mem:/test", features: 4)
        let expected = "mem:/test/x: has 4 features, but the model expects 3"
        expectRefusal(expected) { _ = try Self.classifier().evaluate(wide) }
        expectRefusal(expected) { _ = try Self.classifier().predict(wide) }
    }

    @Test func aLabelAtTheOutputCountIsRefused() {
        var labels = (0..<20).map { Int32($0 % 3) }
        labels[11] = 3
        let split = labelledSplit("mem:/test", labels: labels)
        let expected = "mem:/test/y: label 3 at row 11 is out of range: expected 0..<3 (the model has 3 classes)"
        expectRefusal(expected) { _ = try Self.classifier().evaluate(split) }
        // The forward pass reads the labels a split carries even when it only predicts.
        expectRefusal(expected) { _ = try Self.classifier().predict(split) }
        expectRefusal(expected) { _ = try Self.regression(outputs: 3).evaluate(split) }
    }

    @Test func floatTargetsNeedAnMSEModelOfTheirWidth() throws {
        let values = regressionSplit("mem:/test", width: 2)
        expectRefusal("mem:/test/y: holds float targets, but the model is a classifier (cross-entropy); expected integer class labels") {
            _ = try Self.classifier().evaluate(values)
        }
        // A classifier's prediction never reads float targets.
        #expect(try Self.classifier().predict(values).count == 20 * 3)
        let expected = "mem:/test/y: has 2 targets per row, but the model has 3 outputs"
        expectRefusal(expected) { _ = try Self.regression(outputs: 3).evaluate(values) }
        expectRefusal(expected) { _ = try Self.regression(outputs: 3).predict(values) }
    }

    @Test func evaluationNeedsTargetsPredictionDoesNot() throws {
        let bare = DatasetSplit(name: "mem:/test", rows: 5, featureCount: 3,
                                features: .float32([Float](repeating: 1, count: 15)), targets: .none)
        expectRefusal("mem:/test: has no targets (y); expected class labels or float targets") {
            _ = try Self.classifier().evaluate(bare)
        }
        #expect(try Self.classifier().predict(bare).count == 5 * 3)
    }

    @Test func aStandardisationOfAnotherWidthIsRefused() {
        let evaluator = Self.classifier()
        evaluator.network.featureScaling = FeatureScaling(mean: [0, 0], std: [1, 1])
        expectRefusal("network 3-4-3: standardises 2 features, but takes 3 inputs") {
            _ = try evaluator.evaluate(labelledSplit("mem:/test"))
        }
    }

    @Test func aStreamedLabelAtTheOutputCountIsRefused() throws {
        let fixture = try StreamFixture(rows: 40, features: 3, classes: 4)
        let rows = try StreamedRows(try fixture.streamed())
        let expected = "\(fixture.path):/train/y: label 3 is out of range: expected 0..<3 (the model has 3 classes)"
        withExtendedLifetime(fixture) {
            expectRefusal(expected) { _ = try Self.classifier().evaluate(rows: rows) }
            expectRefusal(expected) { try Self.classifier().predict(rows: rows) { _ in } }
        }
    }
}
