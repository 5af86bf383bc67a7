/// Whether rows a model is given hold the images it was trained on: the same feature count is
/// not enough, as a (3, 32, 32) image stored channels-last has the values of a channels-first
/// one in another order.
extension ModelSpec {
    /// x's shape a row as the model's training data stored it: [F], or [C, H, W] ([H, W, C]
    /// when trained channels-last).
    public var inputSampleShape: [Int] {
        inputShape.map { $0.sampleShape(channelsLast: inputChannelsLast) } ?? [inputCount]
    }

    /// Checks that rows whose x has `sampleShape` a row can be fed to this model (their feature
    /// count is checked apart): rows of features always can, as the model's own training data
    /// may have been; images only when they are the model's, stored in its layout.
    /// - Parameter location: x, for messages: "data.h5:/test/x".
    /// - Throws: `SpindleError.invalidData` naming x, its shape and the model's.
    public func checkInput(sampleShape: [Int], location: String) throws {
        guard let inputShape, sampleShape.count > 1 else { return }
        let layout = inputChannelsLast ? "channels-last" : "channels-first"
        // One channel: [H, W], [1, H, W] and [H, W, 1] hold the same values in the same order.
        let h = inputShape.height, w = inputShape.width
        if inputShape.channels == 1, [[h, w], [1, h, w], [h, w, 1]].contains(sampleShape) { return }
        guard sampleShape == inputSampleShape else {
            throw SpindleError.invalidData(
                location: location,
                problem: "holds images of shape \(sampleShape) a row, but the model takes \(inputShape) images " +
                    "stored \(layout), \(inputSampleShape) a row")
        }
    }
}
