import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

/// A model of images in the model file: `input_shape` [C, H, W] and `input_layout`, conv groups
/// shaped as PyTorch's `nn.Conv2d` state_dict, per-channel standardisation; read back into the
/// same spec and weights.
@Suite struct ImageModelFileTests {
    static let layers = try! ModelSpecParser.parse("conv(4,3,pad=1),relu,maxpool(2),conv(5,3,stride=2),flatten,dense(6),relu")

    static func spec(channelsLast: Bool) -> ModelSpec {
        ModelSpec(inputCount: 3 * 10 * 12, layers: layers, outputCount: 3,
                  inputShape: ImageShape(channels: 3, height: 10, width: 12), inputChannelsLast: channelsLast)
    }

    @Test(arguments: [false, true])
    func roundTripsTheImageAndItsLayout(channelsLast: Bool) throws {
        let scratch = try TemporaryDirectory()
        let spec = Self.spec(channelsLast: channelsLast)
        let network = Network(spec: spec, seed: 5)
        var config = TrainingConfig(model: Self.layers)
        config.inputShape = spec.inputShape
        config.channelsLast = channelsLast
        try ModelFile(network: network, config: config).write(to: scratch.path("m.h5"))

        let file = try H5File.open(scratch.path("m.h5"))
        let model = try file.openGroup("model")
        #expect(try model.intArrayAttribute("input_shape") == [3, 10, 12])
        #expect(try model.stringAttribute("input_layout") == (channelsLast ? "channels_last" : "channels_first"))
        #expect(try model.memberNames() == ["00_conv", "03_conv", "05_dense", "07_dense"])
        #expect(try model.openDataset("00_conv/weight").shape == [4, 3, 3, 3])
        #expect(try model.openDataset("00_conv/bias").shape == [4])
        #expect(try model.openDataset("03_conv/weight").shape == [5, 4, 3, 3])
        // (4, 10, 12) → maxpool (4, 5, 6) → conv stride 2 (5, 2, 2) → flatten 20.
        #expect(try model.openDataset("05_dense/weight").shape == [6, 20])

        let read = try ModelFile.read(from: scratch.path("m.h5"))
        #expect(read.network.spec == spec)
        #expect(read.network.parameters.array() == network.parameters.array())
        #expect(read.config == config)
    }

    /// A model of features writes `input_shape` [F] and no layout, as before images existed.
    @Test func aModelOfFeaturesHasNoLayout() throws {
        let scratch = try TemporaryDirectory()
        let network = Network(spec: ModelSpec(inputCount: 7, layers: [.dense(units: 3)], outputCount: 2), seed: 1)
        try ModelFile(network: network, config: nil).write(to: scratch.path("m.h5"))
        let model = try H5File.open(scratch.path("m.h5")).openGroup("model")
        #expect(try model.intArrayAttribute("input_shape") == [7])
        #expect(!model.hasAttribute("input_layout"))
    }

    /// Per-channel statistics are stored as (C) and applied to each feature of their channel.
    @Test(arguments: [false, true])
    func standardisationPerChannelRoundTrips(channelsLast: Bool) throws {
        let scratch = try TemporaryDirectory()
        let spec = Self.spec(channelsLast: channelsLast)
        let network = Network(spec: spec, seed: 5)
        let image = try #require(spec.inputShape)
        network.featureScaling = FeatureScaling(channelMean: [0.1, 0.2, 0.3], channelStd: [1, 2, 0], image: image,
                                                channelsLast: channelsLast)
        try ModelFile(network: network, config: nil).write(to: scratch.path("m.h5"))
        let model = try H5File.open(scratch.path("m.h5")).openGroup("model")
        #expect(try model.openDataset("standardize/mean").readAll() as [Float] == [0.1, 0.2, 0.3])
        // A constant channel's deviation is stored as the 1 it is applied as.
        #expect(try model.openDataset("standardize/std").readAll() as [Float] == [1, 2, 1])
        let scaling = try #require(try ModelFile.read(from: scratch.path("m.h5")).network.featureScaling)
        #expect(scaling == network.featureScaling)
        // Feature (c, y, x) of a channels-first row is at c·H·W + y·W + x; channels-last at (y·W + x)·C + c.
        let feature = channelsLast ? (2 * 12 + 5) * 3 + 1 : 1 * 120 + 2 * 12 + 5
        #expect(scaling.mean[feature] == 0.2 && scaling.std[feature] == 2)
    }

    @Test func statisticsPerChannelPoolThePixels() throws {
        // Two rows of a (2, 1, 2) image, channels-first: channel 0 is features 0, 1; channel 1 is 2, 3.
        var statistics = FeatureStatistics(features: 4)
        try statistics.add([1, 2, 10, 10, 3, 6, 30, 10])
        let image = ImageShape(channels: 2, height: 1, width: 2)
        let first = statistics.channelScaling(image, channelsLast: false)
        #expect(first.stored.mean == [3, 15])
        // Population deviations: channel 0 of 1, 2, 3, 6 (mean 3) and channel 1 of 10, 10, 30, 10 (mean 15).
        #expect(abs(first.stored.std[0] - Float((14.0 / 4).squareRoot())) < 1e-6)
        #expect(abs(first.stored.std[1] - Float((300.0 / 4).squareRoot())) < 1e-6)
        // The same values read channels-last: channel 0 is features 0, 2.
        let last = statistics.channelScaling(image, channelsLast: true)
        let lastMeans: [Float] = [11, 7]  // (1 + 10 + 3 + 30) / 4, (2 + 10 + 6 + 10) / 4
        #expect(last.stored.mean == lastMeans)
    }

    @Test func aBadLayoutOrShapeIsRefused() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.path("m.h5")
        try ModelFile(network: Network(spec: Self.spec(channelsLast: false), seed: 1), config: nil).write(to: path)
        func edit(_ change: (H5Group) throws -> Void) throws {
            let file = try H5File.open(path, mode: .readWrite)
            try change(try file.openGroup("model"))
            try file.close()
        }
        try edit { try $0.setAttribute("input_layout", "nhwc") }
        #expect(throws: SpindleError.invalidModel(
            path: path, problem: "/model input_layout 'nhwc' is unknown; expected channels_first or channels_last")) {
            try ModelFile.read(from: path)
        }
        try edit { try $0.setAttribute("input_shape", [30, 12]) }
        #expect(throws: SpindleError.invalidModel(
            path: path, problem: "/model input_shape [30, 12] is neither a positive width [F] nor an image's [C, H, W]")) {
            try ModelFile.read(from: path)
        }
        // Rows of features for a model that starts with a conv: the spec itself is refused.
        try edit { try $0.setAttribute("input_shape", [360]) }
        let error = #expect(throws: SpindleError.self) { try ModelFile.read(from: path) }
        #expect(error?.description.hasPrefix("\(path): its spec: invalid --model 'conv(4,3,pad=1)': expected an image input") == true)
    }
}
