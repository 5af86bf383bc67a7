import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

/// The Keras layout of image layers, read back with HDF5Kit: Conv2D kernels (K, K, C_in, C) and
/// the dense layer after a Flatten with its weight columns in Keras's (H, W, C) order.
///
/// Letters: C, C_in a conv's output and input channels, K its kernel size; H, W, C an image.
@Suite struct KerasImageExportTests {
    static let image = ImageShape(channels: 2, height: 5, width: 4)
    static let spec = ModelSpec(inputCount: 40, layers: try! ModelSpecParser.parse("conv(3,3,pad=1),relu,flatten,dense(6),relu"),
                                outputCount: 2, inputShape: image)

    @Test func convKernelsAndFlattenedColumnsAreInKerasOrder() throws {
        let scratch = try TemporaryDirectory()
        let network = Network(spec: Self.spec, seed: 3)
        let path = scratch.path("weights.h5")
        try KerasExport.write(network, to: path)
        let file = try H5File.open(path)
        #expect(try file.stringArrayAttribute("layer_names") == ["conv2d", "dense", "dense_1"])
        let conv = try file.openGroup("conv2d")
        #expect(try conv.stringArrayAttribute("weight_names") == ["conv2d/kernel:0", "conv2d/bias:0"])
        let kernel = try conv.openDataset("conv2d/kernel:0")
        #expect(kernel.shape == [3, 3, 2, 3])
        let groups = network.layout.groups
        let weight = network.values(groups[0].tensor("weight")!)  // (C, C_in, K, K) = (3, 2, 3, 3)
        let k: [Float] = try kernel.readAll()
        for co in 0..<3 {
            for ci in 0..<2 {
                for ky in 0..<3 {
                    for kx in 0..<3 {
                        #expect(k[((ky * 3 + kx) * 2 + ci) * 3 + co] == weight[((co * 2 + ci) * 3 + ky) * 3 + kx])
                    }
                }
            }
        }
        #expect(try conv.openDataset("conv2d/bias:0").readAll() as [Float] == network.values(groups[0].tensor("bias")!))

        // The dense layer reads the conv's (3, 5, 4) output flattened: Spindle's column
        // c·20 + y·4 + x is Keras's row (y·4 + x)·3 + c of the kernel (I, O).
        let dense = network.values(groups[1].tensor("weight")!)  // (6, 60)
        let denseKernel: [Float] = try file.openGroup("dense").openDataset("dense/kernel:0").readAll()
        for o in 0..<6 {
            for c in 0..<3 {
                for y in 0..<5 {
                    for x in 0..<4 {
                        #expect(denseKernel[((y * 4 + x) * 3 + c) * 6 + o] == dense[o * 60 + c * 20 + y * 4 + x])
                    }
                }
            }
        }
        // The output layer reads dense(6)'s outputs: a plain transpose.
        let output = network.values(groups[2].tensor("weight")!)
        let outputKernel: [Float] = try file.openGroup("dense_1").openDataset("dense_1/kernel:0").readAll()
        let transposed: [Float] = (0..<12).map { (n: Int) -> Float in output[(n % 2) * 6 + n / 2] }
        #expect(outputKernel == transposed)
    }

    @Test func describesTheKerasModel() {
        #expect(KerasExport.kerasModel(Self.spec) ==
                #"Sequential([Input((5, 4, 2)), Conv2D(3, 3, padding="same", activation="relu"), Flatten(), "#
                + #"Dense(6, activation="relu"), Dense(2, activation="softmax")])"#)
        #expect(KerasExport.kerasLayerTypes(Self.spec) == ["Dense", "Conv2D", "Flatten"])
        let scaling = FeatureScaling(channelMean: [0.5, 0.25], channelStd: [2, 0.5], image: Self.image, channelsLast: false)
        #expect(KerasExport.kerasModel(Self.spec, scaling: scaling).hasPrefix(
            "Sequential([Input((5, 4, 2)), Normalization(mean=[0.5, 0.25], variance=[4.0, 0.25]), Conv2D("))
        #expect(KerasExport.kerasLayerTypes(Self.spec, scaling: scaling) == ["Dense", "Normalization", "Conv2D", "Flatten"])
    }

    /// Residual blocks in an image model: a functional model (Normalization first), conv kernels
    /// in blocks laid out as at the top, and only the dense layer right after `flatten` permuted
    /// (a block's dense reads features in its own order).
    @Test func imageModelWithBlocks() throws {
        let spec = ModelSpec(inputCount: 40, layers: try ModelSpecParser.parse(
            "conv(3,3,pad=1),relu,residual(batchnorm,conv(3,3,pad=1),relu),flatten,dense(6),residual(layernorm,dense(6),relu)"),
            outputCount: 2, inputShape: Self.image)
        let scaling = FeatureScaling(channelMean: [0.5, 0.25], channelStd: [2, 0.5], image: Self.image, channelsLast: false)
        #expect(KerasExport.kerasModel(spec, scaling: scaling) == """
            inputs = Input((5, 4, 2))
            x = Normalization(mean=[0.5, 0.25], variance=[4.0, 0.25])(inputs)
            x = Conv2D(3, 3, padding="same", activation="relu")(x)
            h = BatchNormalization(momentum=0.9, epsilon=1e-05)(x)
            h = Conv2D(3, 3, padding="same", activation="relu")(h)
            x = Add()([x, h])
            x = Flatten()(x)
            x = Dense(6)(x)
            h = LayerNormalization(epsilon=1e-05)(x)
            h = Dense(6, activation="relu")(h)
            x = Add()([x, h])
            outputs = Dense(2, activation="softmax")(x)
            model = Model(inputs, outputs)
            """)
        #expect(KerasExport.kerasLayerTypes(spec, scaling: scaling) ==
                ["Dense", "Normalization", "Conv2D", "BatchNormalization", "Flatten", "LayerNormalization", "Add"])

        let scratch = try TemporaryDirectory()
        let network = Network(spec: spec, seed: 4)
        try KerasExport.write(network, to: scratch.path("blocks.h5"))
        let file = try H5File.open(scratch.path("blocks.h5"))
        #expect(try file.stringArrayAttribute("layer_names") ==
                ["conv2d", "batch_normalization", "conv2d_1", "dense", "layer_normalization", "dense_1", "dense_2"])
        let groups = network.layout.groups
        // The block's conv: (C, C_in, K, K) → (K, K, C_in, C), as at the top.
        let weight = network.values(groups[2].tensor("weight")!)
        let kernel: [Float] = try file.openGroup("conv2d_1").openDataset("conv2d_1/kernel:0").readAll()
        let (co, ci, ky, kx) = (2, 1, 1, 2)
        let keras: Int = ((ky * 3 + kx) * 3 + ci) * 3 + co, spindle: Int = ((co * 3 + ci) * 3 + ky) * 3 + kx
        #expect(kernel[keras] == weight[spindle])
        // The block's dense(6) reads dense(6)'s outputs: a plain transpose, no flatten order.
        let inner = network.values(groups[5].tensor("weight")!)
        let innerKernel: [Float] = try file.openGroup("dense_1").openDataset("dense_1/kernel:0").readAll()
        #expect(innerKernel == (0..<36).map { (n: Int) -> Float in inner[(n % 6) * 6 + n / 6] })
        // The dense after flatten is permuted to Keras's (H, W, C) columns.
        let dense = network.values(groups[3].tensor("weight")!)  // (6, 60)
        let denseKernel: [Float] = try file.openGroup("dense").openDataset("dense/kernel:0").readAll()
        let (o, c, y, x) = (5, 1, 2, 3)
        let row: Int = (y * 4 + x) * 3 + c, column: Int = c * 20 + y * 4 + x
        #expect(denseKernel[row * 6 + o] == dense[o * 60 + column])
    }

    /// A block between `flatten` and the dense after it would carry Spindle's (C, H, W) order
    /// through Keras's Add: refused, naming the block, before any file is written.
    @Test func refusesABlockRightAfterFlatten() throws {
        let spec = ModelSpec(inputCount: 40, layers: try ModelSpecParser.parse("flatten,residual(layernorm,dense(40)),dense(6)"),
                             outputCount: 2, inputShape: Self.image)
        let scratch = try TemporaryDirectory()
        let path = scratch.path("weights.h5")
        #expect(throws: SpindleError.invalidConfig(
            setting: "format keras", found: "residual(layernorm,dense(40))",
            expected: "a dense layer between flatten and a residual block: Keras flattens an image (H, W, C) " +
                "where Spindle flattens (C, H, W), and only a dense layer's weights can take the difference")) {
            try KerasExport.write(Network(spec: spec, seed: 1), to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// Statistics per feature of an image (a hand-made file's) have no Keras layer here.
    @Test func refusesPerFeatureStatisticsOfImages() throws {
        let scratch = try TemporaryDirectory()
        let network = Network(spec: Self.spec, seed: 3)
        network.featureScaling = FeatureScaling(mean: [Float](repeating: 0, count: 40), std: [Float](repeating: 1, count: 40))
        let path = scratch.path("weights.h5")
        #expect(throws: SpindleError.invalidConfig(
            setting: "format keras", found: "standardize",
            expected: "standardisation per channel for a model of images (a Normalization layer); this file's is per feature")) {
            try KerasExport.write(network, to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
