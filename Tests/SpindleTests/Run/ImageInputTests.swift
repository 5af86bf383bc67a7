import Foundation
import Spindle
import Testing

/// Which image a row holds: `--input-shape`, `--channels-last` and x's own shape, resolved into
/// the config (`TrainingConfig.resolvingImage`), recorded in it, and refused in one line when
/// they disagree.
@Suite struct ImageInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var sampleShape: [Int]
        var given: ImageShape?
        var channelsLast = false
        /// The resolved image, or the whole message.
        var image: ImageShape? = nil
        var error: String? = nil
        var testDescription: String { "\(sampleShape) \(given?.flag ?? "-") \(channelsLast ? "channels-last" : "")" }
    }

    static let x = "data.h5:/train/x"

    @Test(arguments: [
        Case(sampleShape: [784], given: nil),
        Case(sampleShape: [784], given: ImageShape(channels: 1, height: 28, width: 28),
             image: ImageShape(channels: 1, height: 28, width: 28)),
        Case(sampleShape: [3072], given: ImageShape(channels: 3, height: 32, width: 32), channelsLast: true,
             image: ImageShape(channels: 3, height: 32, width: 32)),
        Case(sampleShape: [28, 28], given: nil, image: ImageShape(channels: 1, height: 28, width: 28)),
        // One channel: both orders are the same.
        Case(sampleShape: [28, 28], given: nil, channelsLast: true, image: ImageShape(channels: 1, height: 28, width: 28)),
        Case(sampleShape: [3, 32, 30], given: nil, image: ImageShape(channels: 3, height: 32, width: 30)),
        Case(sampleShape: [32, 30, 3], given: nil, channelsLast: true, image: ImageShape(channels: 3, height: 32, width: 30)),
        Case(sampleShape: [3, 32, 30], given: ImageShape(channels: 3, height: 32, width: 30),
             image: ImageShape(channels: 3, height: 32, width: 30)),
        Case(sampleShape: [784], given: ImageShape(channels: 1, height: 28, width: 27),
             error: "invalid --input-shape '1,28,27': expected C·H·W = 784, the row width of data.h5:/train/x [N, 784]; " +
                 "1·28·27 is 756"),
        Case(sampleShape: [784], given: nil, channelsLast: true,
             error: "invalid --channels-last 'data.h5:/train/x [N, 784]': expected --input-shape C,H,W with it for rows " +
                 "of features, to say which image each row holds (or x of shape [N, H, W, C])"),
        Case(sampleShape: [28, 28], given: ImageShape(channels: 1, height: 14, width: 56),
             error: "invalid --input-shape '1,14,56': expected the image shape of data.h5:/train/x [N, 28, 28], " +
                 "1,28,28 as C,H,W (or leave --input-shape out)"),
        Case(sampleShape: [32, 32, 3], given: ImageShape(channels: 3, height: 32, width: 32),
             error: "invalid --input-shape '3,32,32': expected the image shape of data.h5:/train/x [N, 32, 32, 3], " +
                 "32,32,3 as C,H,W; add --channels-last if x is [N, H, W, C]"),
    ])
    func resolvesOrRefuses(_ c: Case) throws {
        var config = TrainingConfig()
        config.inputShape = c.given
        config.channelsLast = c.channelsLast
        if let message = c.error {
            let error = #expect(throws: SpindleError.self) { try config.resolvingImage(of: c.sampleShape, location: Self.x) }
            #expect(error?.description == message)
        } else {
            let resolved = try config.resolvingImage(of: c.sampleShape, location: Self.x)
            #expect(resolved.inputShape == c.image)
            #expect(resolved.channelsLast == c.channelsLast)
            let spec = resolved.modelSpec(inputs: c.sampleShape.reduce(1, *), outputs: 10)
            #expect(spec.inputShape == c.image)
            #expect(spec.inputChannelsLast == (c.image != nil && c.channelsLast))
        }
    }

    /// The flag's text: three positive sizes.
    @Test func parsesTheFlag() {
        #expect(ImageShape(flag: "1,28,28") == ImageShape(channels: 1, height: 28, width: 28))
        #expect(ImageShape(flag: " 3, 32 ,32") == ImageShape(channels: 3, height: 32, width: 32))
        for bad in ["", "28,28", "1,28,28,1", "0,28,28", "1,-28,28", "1,28,x", "1,,28"] {
            #expect(ImageShape(flag: bad) == nil, "\(bad)")
        }
        #expect(ImageShape(channels: 3, height: 4, width: 5).flag == "3,4,5")
    }

    /// A config written before images existed decodes with none, and one with an image keeps it;
    /// a config of rows of features writes neither key, so that it reads as it did.
    @Test func configsRecordTheImage() throws {
        let old = #"{"batchSize":128,"epochs":1,"loss":"cross-entropy","model":[{"dense":8}],"seed":0}"#
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: Data(old.utf8))
        #expect(decoded.inputShape == nil && decoded.channelsLast == false)
        let text = String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self)
        #expect(!text.contains("inputShape") && !text.contains("channelsLast"), "\(text)")

        var config = TrainingConfig(model: [.conv(channels: 4, kernel: 3), .flatten])
        config.inputShape = ImageShape(channels: 3, height: 8, width: 6)
        config.channelsLast = true
        let json = try JSONEncoder().encode(config)
        #expect(String(decoding: json, as: UTF8.self).contains(#""inputShape":{"#))
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: json) == config)
    }

    @Test func anImageOfZeroSizeIsRefused() {
        var config = TrainingConfig()
        config.inputShape = ImageShape(channels: 0, height: 28, width: 28)
        let error = #expect(throws: SpindleError.self) { try config.validate() }
        #expect(error?.description == "invalid --input-shape '0,28,28': expected three sizes from 1 to 1048576, C,H,W")
    }

    /// Evaluation data must hold the model's images in the model's layout; rows of features of
    /// the right width always fit.
    @Test func dataMustHoldTheModelsImages() throws {
        let image = ImageShape(channels: 3, height: 4, width: 5)
        let first = ModelSpec(inputCount: 60, layers: [.flatten], outputCount: 2, inputShape: image)
        let last = ModelSpec(inputCount: 60, layers: [.flatten], outputCount: 2, inputShape: image, inputChannelsLast: true)
        try first.checkInput(sampleShape: [60], location: "t.h5:/test/x")
        try first.checkInput(sampleShape: [3, 4, 5], location: "t.h5:/test/x")
        try last.checkInput(sampleShape: [4, 5, 3], location: "t.h5:/test/x")
        let error = #expect(throws: SpindleError.self) { try first.checkInput(sampleShape: [4, 5, 3], location: "t.h5:/test/x") }
        #expect(error?.description == "t.h5:/test/x: holds images of shape [4, 5, 3] a row, but the model takes " +
                "(3, 4, 5) images stored channels-first, [3, 4, 5] a row")
        let gray = ModelSpec(inputCount: 20, layers: [.flatten], outputCount: 2,
                             inputShape: ImageShape(channels: 1, height: 4, width: 5))
        for shape in [[20], [4, 5], [1, 4, 5], [4, 5, 1]] { try gray.checkInput(sampleShape: shape, location: "x") }
        #expect(throws: SpindleError.self) { try gray.checkInput(sampleShape: [5, 4], location: "x") }
        // A model of features takes any rows of its width.
        try ModelSpec(inputCount: 20, layers: [], outputCount: 2).checkInput(sampleShape: [4, 5], location: "x")
    }
}
