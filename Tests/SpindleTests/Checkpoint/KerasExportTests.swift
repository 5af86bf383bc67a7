import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

/// The Keras legacy weights layout, read back with HDF5Kit. (The end-to-end test in
/// SpindleCLITests reads it with h5py, which is what Keras uses.)
///
/// Letters: I a layer's inputs, O its outputs (units).
@Suite struct KerasExportTests {

    static let specs = [
        ModelSpec(inputCount: 5, hiddenSizes: [4, 3], outputCount: 2, activation: .relu, loss: .crossEntropy),
        ModelSpec(inputCount: 3, hiddenSizes: [], outputCount: 1, activation: .tanh, loss: .mse),
    ]

    @Test(arguments: specs)
    func layoutHoldsTransposedWeights(_ spec: ModelSpec) throws {
        let scratch = try TemporaryDirectory()
        let network = Network(spec: spec, seed: 7)
        // Distinct biases, so a bias written to the wrong layer or in the wrong order shows.
        for (l, layer) in network.layout.denseLayers.enumerated() {
            for o in 0..<layer.outputs { network.parameters[layer.biasOffset + o] = Float(100 * l + o) + 0.5 }
        }
        let path = scratch.path("weights.h5")
        try KerasExport.write(network, to: path)

        let file = try H5File.open(path)
        let names = (0..<(spec.widths.count - 1)).map { $0 == 0 ? "dense" : "dense_\($0)" }
        #expect(try file.stringArrayAttribute("layer_names") == names)
        #expect(try file.stringAttribute("backend") == "tensorflow")
        #expect(try file.stringAttribute("keras_version") == "2.15.0")
        #expect(try file.memberNames() == names.sorted())
        for (l, layer) in network.layout.denseLayers.enumerated() {
            let name = names[l]
            let group = try file.openGroup(name)
            #expect(try group.stringArrayAttribute("weight_names") == ["\(name)/kernel:0", "\(name)/bias:0"])
            let kernel = try group.openDataset("\(name)/kernel:0")
            #expect(kernel.shape == [layer.inputs, layer.outputs])
            #expect(kernel.elementType == .float32)
            // kernel: (I, O), weights: (O, I), both row-major; the copy is exact.
            let k: [Float] = try kernel.readAll(), w = network.weights(layer: l)
            for i in 0..<layer.inputs {
                for o in 0..<layer.outputs {
                    #expect(k[i * layer.outputs + o] == w[o * layer.inputs + i], "layer \(l) kernel[\(i), \(o)]")
                }
            }
            let bias = try group.openDataset("\(name)/bias:0")
            #expect(bias.shape == [layer.outputs])
            #expect(try bias.readAll() as [Float] == network.biases(layer: l))
        }
    }

    @Test func describesTheEquivalentKerasModel() {
        #expect(KerasExport.kerasModel(Self.specs[0]) ==
                #"Sequential([Input((5,)), Dense(4, activation="relu"), Dense(3, activation="relu"), "#
                + #"Dense(2, activation="softmax")])"#)
        #expect(KerasExport.kerasModel(Self.specs[1]) == "Sequential([Input((3,)), Dense(1)])")
    }

    /// The standardisation folds into the first dense layer only when nothing comes before it
    /// but dropout (the identity at prediction).
    @Test func refusesStandardisationItCannotFold() throws {
        let scratch = try TemporaryDirectory()
        let network = Network(spec: ModelSpec(inputCount: 3, layers: [.activation(.tanh), .dense(units: 4)], outputCount: 2), seed: 1)
        network.featureScaling = FeatureScaling(mean: [0, 1, 2], std: [1, 2, 3])
        let path = scratch.path("weights.h5")
        #expect(throws: SpindleError.invalidConfig(
            setting: "format keras", found: "tanh",
            expected: "a dense layer first in a --standardize model, so the standardisation folds into its weights")) {
            try KerasExport.write(network, to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        let dropoutFirst = Network(spec: ModelSpec(inputCount: 3, layers: [.dropout(0.2), .dense(units: 4)], outputCount: 2), seed: 1)
        dropoutFirst.featureScaling = network.featureScaling
        try KerasExport.write(dropoutFirst, to: path)
        #expect(KerasExport.kerasLayerTypes(dropoutFirst.spec) == ["Dense", "Dropout"])
    }

    @Test func refusesADirectoryAndWritesNothing() throws {
        let scratch = try TemporaryDirectory()
        let network = Network(spec: Self.specs[0], seed: 1)
        let directory = scratch.path("out.h5")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        #expect(throws: SpindleError.self) { try KerasExport.write(network, to: directory) }
        #expect(throws: SpindleError.self) { try KerasExport.write(network, to: scratch.path("missing/out.h5")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["out.h5"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    /// Norms become LayerNormalization / BatchNormalization groups in model order, their
    /// tensors renamed as Keras names them; residual blocks make a functional model.
    @Test func normsAndBlocksExport() throws {
        let scratch = try TemporaryDirectory()
        let spec = ModelSpec(inputCount: 5, layers: try ModelSpecParser.parse("dense(4),batchnorm,relu,layernorm,dense(3),batchnorm"),
                             outputCount: 2)
        let network = Network(spec: spec, seed: 7)
        for i in 0..<network.parameters.count { network.parameters[i] = Float(i) }
        let path = scratch.path("weights.h5")
        try KerasExport.write(network, to: path)
        let file = try H5File.open(path)
        #expect(try file.stringArrayAttribute("layer_names") ==
                ["dense", "batch_normalization", "layer_normalization", "dense_1", "batch_normalization_1", "dense_2"])
        let bn = try file.openGroup("batch_normalization_1")
        let names = ["gamma", "beta", "moving_mean", "moving_variance"].map { "batch_normalization_1/\($0):0" }
        #expect(try bn.stringArrayAttribute("weight_names") == names)
        let group = network.layout.groups[4]
        for (tensor, name) in zip(group.tensors, names) {
            #expect(try bn.openDataset(name).readAll() as [Float] == network.values(tensor), "\(name)")
        }
        #expect(KerasExport.kerasModel(spec) == "Sequential([Input((5,)), Dense(4), BatchNormalization(momentum=0.9, epsilon=1e-05), " +
                "Activation(\"relu\"), LayerNormalization(epsilon=1e-05), Dense(3), BatchNormalization(momentum=0.9, epsilon=1e-05), " +
                "Dense(2, activation=\"softmax\")])")

        // Residual blocks, nested too: a functional model, the groups in the order its lines make
        // the layers with weights.
        let blocks = ModelSpec(inputCount: 5, layers: try ModelSpecParser.parse(
            "dense(4),residual(layernorm,dense(4),relu),residual(dense(3),tanh,residual(batchnorm),dense(4)),dropout(0.1)"),
            outputCount: 2)
        #expect(KerasExport.kerasModel(blocks) == """
            inputs = Input((5,))
            x = Dense(4)(inputs)
            h = LayerNormalization(epsilon=1e-05)(x)
            h = Dense(4, activation="relu")(h)
            x = Add()([x, h])
            h = Dense(3, activation="tanh")(x)
            h2 = BatchNormalization(momentum=0.9, epsilon=1e-05)(h)
            h = Add()([h, h2])
            h = Dense(4)(h)
            x = Add()([x, h])
            x = Dropout(0.1)(x)
            outputs = Dense(2, activation="softmax")(x)
            model = Model(inputs, outputs)
            """)
        #expect(KerasExport.kerasProgram(blocks, weights: "w.h5").prefix(2) ==
                ["from keras import Input, Model",
                 "from keras.layers import Dense, LayerNormalization, BatchNormalization, Dropout, Add"])
        try KerasExport.write(Network(spec: blocks, seed: 1), to: scratch.path("blocks.h5"))
        #expect(try H5File.open(scratch.path("blocks.h5")).stringArrayAttribute("layer_names") ==
                ["dense", "layer_normalization", "dense_1", "dense_2", "batch_normalization", "dense_3", "dense_4"])
        // Standardisation folds into a first dense layer only: a block first is refused, naming it.
        let first = ModelSpec(inputCount: 5, layers: try ModelSpecParser.parse("residual(layernorm,dense(5)),dense(4)"),
                              outputCount: 2)
        #expect(throws: SpindleError.invalidConfig(
            setting: "format keras", found: "residual(layernorm,dense(5))",
            expected: "a dense layer first in a --standardize model, so the standardisation folds into its weights")) {
            try KerasExport.checkExpressible(first, standardized: true)
        }
    }
}
