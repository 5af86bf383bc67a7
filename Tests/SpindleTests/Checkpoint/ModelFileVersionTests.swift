import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

/// Model file format version 2 (one group per layer with parameters, the spec as JSON), and the
/// version-1 files of Tests/Fixtures/v1, written by Spindle 0.1.0, which must keep working.
@Suite struct ModelFileVersionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures/v1").standardized
    static let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../data/fashion-mnist-small.h5").standardized.path


    @Test func versionTwoRoundTripsAnyLayerList() throws {
        let scratch = try TemporaryDirectory()
        let layers = try ModelSpecParser.parse("dropout(0.1),dense(6,init=torch),tanh,dense(5),dense(4),relu,dropout(0.3)")
        let spec = ModelSpec(inputCount: 7, layers: layers, outputCount: 3, loss: .mse)
        let network = Network(spec: spec, seed: 3)
        let config = TrainingConfig(model: layers, loss: .mse)
        let moments = [network.parameters.array().map { $0 * 0.5 }]
        try ModelFile(network: network, config: config, moments: moments, steps: 4, epochs: 1).write(to: scratch.path("m.h5"))

        let file = try H5File.open(scratch.path("m.h5"))
        #expect(try file.intAttribute("format_version") == 2)
        let model = try file.openGroup("model")
        #expect(try model.memberNames() == ["01_dense", "03_dense", "04_dense", "07_dense"])
        #expect(try model.openDataset("01_dense/weight").shape == [6, 7])
        #expect(try model.openDataset("07_dense/bias").shape == [3])
        #expect(try model.stringAttribute("spec") ==
                #"[{"dropout":0.1},{"dense":6,"init":"torch"},"tanh",{"dense":5},{"dense":4},"relu",{"dropout":0.3}]"#)

        let read = try ModelFile.read(from: scratch.path("m.h5"))
        #expect(read.network.spec.layers == layers)
        #expect(read.network.parameters.array() == network.parameters.array())
        #expect(read.moments == moments)
        #expect(read.config == config)
    }

    @Test func aSpecThatDisagreesWithItsDatasetsIsRefused() throws {
        let scratch = try TemporaryDirectory()
        let layers: [LayerSpec] = [.dense(units: 6), .activation(.relu)]
        let network = Network(spec: ModelSpec(inputCount: 4, layers: layers, outputCount: 2), seed: 1)
        let path = scratch.path("m.h5")
        try ModelFile(network: network, config: nil).write(to: path)
        do {
            let file = try H5File.open(path, mode: .readWrite)
            try file.openGroup("model").setAttribute("spec", #"[{"dense": 5}, "relu"]"#)
        }
        #expect(throws: SpindleError.invalidModel(path: path, problem: "/model/00_dense/weight has shape [6, 4], expected [5, 4]")) {
            try ModelFile.read(from: path)
        }
        do {
            let file = try H5File.open(path, mode: .readWrite)
            try file.openGroup("model").setAttribute("spec", #"[{"dense": 6}, "relu", "tanh"]"#)
        }
        #expect(throws: SpindleError.invalidModel(
            path: path, problem: "/model/03_dense is missing; the spec dense(6),relu,tanh has a dense layer there")) {
            try ModelFile.read(from: path)
        }
        do {
            let file = try H5File.open(path, mode: .readWrite)
            try file.openGroup("model").setAttribute("spec", #"[{"dense": 6}, "mish"]"#)
        }
        #expect(throws: SpindleError.self) { try ModelFile.read(from: path) }
        do {
            let file = try H5File.open(path, mode: .readWrite)
            try file.setAttribute("format_version", 0)
        }
        #expect(throws: SpindleError.invalidModel(path: path, problem: "format_version 0 is not a version Spindle writes; expected 1 to 2")) {
            try ModelFile.read(from: path)
        }
    }

    /// The version-1 model reads as the layer list its config spells and predicts exactly what
    /// Spindle 0.1.0 predicted (predictions.h5), with the same test metrics (eval.json).
    @Test func versionOneModelPredictsAsBefore() throws {
        let saved = try ModelFile.read(from: Self.fixtures.appendingPathComponent("model.h5").path)
        #expect(saved.network.spec.layers == [.dense(units: 16), .activation(.relu), .dropout(0.1)])
        #expect(saved.network.featureScaling != nil)
        #expect(saved.moments.count == 2)
        let test = try DatasetReader.load(try DatasetReader.openFile(Self.bundled), .named("test"))
        let evaluator = Evaluator(network: saved.network, workers: 2, shards: 2)
        let before = try H5File.open(Self.fixtures.appendingPathComponent("predictions.h5").path)
        let probabilities: [Float] = try before.openDataset("probabilities").readAll()
        expectClose(try evaluator.predict(test), probabilities.map(Double.init), relative: 1e-6,
                    absolute: 1e-7, "probabilities against Spindle 0.1.0's")
        let report = try evaluator.evaluate(test)
        let expected = try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent("eval.json"))) as! [String: Any]
        #expect(report.accuracy == expected["accuracy"] as? Double)
        #expect(abs(report.loss - (expected["loss"] as! Double)) < 1e-9)
    }

    @Test func versionOneCheckpointKeepsItsState() throws {
        let checkpoint = try ModelFile.read(from: Self.fixtures.appendingPathComponent("ckpt-000000090.h5").path)
        #expect(checkpoint.steps == 90)
        #expect(checkpoint.state?.batchInEpoch == 11)
        #expect(checkpoint.config?.model == [.dense(units: 16), .activation(.relu), .dropout(0.1)])
        #expect(checkpoint.config?.shards == 2)
        #expect(checkpoint.config?.dropLast == false, "written before --drop-last: every batch trained on")
    }
}
