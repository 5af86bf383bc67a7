import ArgumentParser
import Spindle

/// Which file and which datasets in it.
struct DataOptions: ParsableArguments {
    @Argument(help: "Dataset file (HDF5). Default: the bundled data/fashion-mnist-small.h5.")
    var data: String?

    @Option(help: "Training features dataset [N, F].")
    var trainX = "/train/x"

    @Option(help: "Training targets dataset: [N] integer labels or [N, T] floats.")
    var trainY = "/train/y"

    @Option(help: "Test features dataset (used when present).")
    var testX = "/test/x"

    @Option(help: "Test targets dataset.")
    var testY = "/test/y"

    @Option(parsing: .unconditional, help: "Fraction of the training rows held out for validation each epoch (used when the file has no /val split).")
    var valFraction = 0.0

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Memory all the splits together may take, e.g. 512M or 4G (default: a quarter of RAM).",
        discussion: "A training split that fits is loaded whole and fully shuffled each epoch; a larger one is streamed: blocks of whole chunks in a shuffled order, through a few shuffle windows in memory. Validation and test splits are loaded when they fit what is left, else read a window at a time."),
        transform: MemoryBudget.parsingFlag)
    var memoryBudget: MemoryBudget?

    @Option(parsing: .unconditional, help: "Shuffle windows read ahead while streaming.")
    var prefetch = 2

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Rows per shuffle window while streaming (default: what the memory budget allows, up to 384 MiB for all windows).",
        valueName: "rows"))
    var shuffleWindow: Int?

    func validateFraction() throws {
        if prefetch < 1 { throw ValidationError("invalid --prefetch '\(prefetch)': expected at least 1 window") }
        if let shuffleWindow, shuffleWindow < 1 {
            throw ValidationError("invalid --shuffle-window '\(shuffleWindow)': expected a positive number of rows")
        }
        if !(valFraction >= 0 && valFraction < 1) {
            throw ValidationError("invalid --val-fraction '\(valFraction)': expected a fraction in [0, 1)")
        }
    }

    func path() throws -> String { try data ?? BundledData.path() }

    /// The library's description of the same choices.
    func source() throws -> DataSource {
        var source = DataSource(path: try path())
        source.train = .init(x: trainX, y: trainY)
        source.test = .init(x: testX, y: testY)
        source.validationFraction = valFraction
        source.memoryBudget = memoryBudget ?? .default
        source.prefetch = prefetch
        source.shuffleWindowRows = shuffleWindow
        return source
    }
}


extension MemoryBudget {
    /// --memory-budget's value, or a usage error naming it.
    static func parsingFlag(_ text: String) throws -> MemoryBudget {
        guard let budget = MemoryBudget(parsing: text) else {
            throw ValidationError("invalid --memory-budget '\(text)': expected a size such as 512M, 4G or a number of bytes")
        }
        return budget
    }
}

/// What image each row of the data holds, for convolutional models.
struct ImageOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The image each row of a [N, F] dataset holds, C,H,W (e.g. 1,28,28; C·H·W = F), for conv and pool layers (default: rows of features).",
        discussion: "A dataset of images gives it itself: x [N, H, W] is one-channel images, [N, C, H, W] channels-first, [N, H, W, C] with --channels-last; --input-shape must then agree.",
        valueName: "C,H,W"),
        transform: ImageOptions.parseShape)
    var inputShape: ImageShape?

    @Flag(help: "The data stores each image channels-last, (H, W, C) as Keras does, rather than (C, H, W).")
    var channelsLast = false

    static func parseShape(_ text: String) throws -> ImageShape {
        guard let shape = ImageShape(flag: text) else {
            throw ValidationError("invalid --input-shape '\(text)': expected three positive sizes C,H,W, e.g. 1,28,28")
        }
        return shape
    }
}
