/// Which image a row holds: what `--input-shape` and `--channels-last` say, what the data file's
/// x gives, and the one-line refusals when they disagree.
///
/// Letters: N rows, F features a row, C channels, H height, W width.
extension TrainingConfig {
    /// This config with `inputShape` set to the image each row of the training data holds.
    ///
    /// `sampleShape` is x's shape without its row dimension:
    /// - [F]: rows of features; an image only when `--input-shape` says so, C·H·W = F;
    /// - [H, W]: one-channel images, (1, H, W);
    /// - [C, H, W], or [H, W, C] with `--channels-last`.
    /// A given `--input-shape` must agree with what the file says.
    /// - Parameter location: x, for messages: "data.h5:/train/x".
    /// - Throws: `SpindleError.invalidConfig` naming --input-shape or --channels-last, the
    ///   shapes found and what was expected.
    public func resolvingImage(of sampleShape: [Int], location: String) throws -> TrainingConfig {
        var resolved = self
        resolved.inputShape = try Self.image(of: sampleShape, given: inputShape, channelsLast: channelsLast,
                                             location: location)
        return resolved
    }

    static func image(of sampleShape: [Int], given: ImageShape?, channelsLast: Bool,
                      location: String) throws -> ImageShape? {
        let rows = "[N, " + sampleShape.map(String.init).joined(separator: ", ") + "]"
        guard let stored = ImageShape(sampleShape: sampleShape, channelsLast: channelsLast) else {
            // Rows of features: the flags alone say whether they are images.
            let features = sampleShape.reduce(1, *)
            guard let given else {
                guard !channelsLast else {
                    throw SpindleError.invalidConfig(
                        setting: "channels-last", found: "\(location) \(rows)",
                        expected: "--input-shape C,H,W with it for rows of features, to say which image each row " +
                            "holds (or x of shape [N, H, W, C])")
                }
                return nil
            }
            guard given.count == features else {
                throw SpindleError.invalidConfig(
                    setting: "input-shape", found: given.flag,
                    expected: "C·H·W = \(features), the row width of \(location) \(rows); " +
                        "\(given.dimensions.map(String.init).joined(separator: "·")) is \(given.count)")
            }
            return given
        }
        if let given, given != stored {
            // The likeliest slip: images stored channels-last, read without --channels-last.
            let hint = !channelsLast && ImageShape(sampleShape: sampleShape, channelsLast: true) == given
                ? "; add --channels-last if x is [N, H, W, C]" : " (or leave --input-shape out)"
            throw SpindleError.invalidConfig(
                setting: "input-shape", found: given.flag,
                expected: "the image shape of \(location) \(rows), \(stored.flag) as C,H,W\(hint)")
        }
        return stored
    }
}

extension ImageShape {
    /// The image a row of x holds, from x's shape without its row dimension: [H, W] is one
    /// channel, [C, H, W] (or [H, W, C] when `channelsLast`) several; nil for [F] (or a shape
    /// of another rank, which `DatasetReader` refuses).
    public init?(sampleShape: [Int], channelsLast: Bool) {
        switch sampleShape.count {
        case 2: self.init(channels: 1, height: sampleShape[0], width: sampleShape[1])
        case 3 where channelsLast: self.init(channels: sampleShape[2], height: sampleShape[0], width: sampleShape[1])
        case 3: self.init(channels: sampleShape[0], height: sampleShape[1], width: sampleShape[2])
        default: return nil
        }
    }

    /// Parses `--input-shape`'s "C,H,W", e.g. "1,28,28"; nil unless it is three positive integers.
    public init?(flag text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let c = parts[0], let h = parts[1], let w = parts[2], c > 0, h > 0, w > 0 else {
            return nil
        }
        self.init(channels: c, height: h, width: w)
    }

    /// "1,28,28", as `--input-shape` takes it.
    public var flag: String { dimensions.map(String.init).joined(separator: ",") }

    /// x's shape a row, as a file that stores this image channels-first ([C, H, W]) or
    /// channels-last ([H, W, C]) has it.
    public func sampleShape(channelsLast: Bool) -> [Int] {
        channelsLast ? [height, width, channels] : dimensions
    }
}
