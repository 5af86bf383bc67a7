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

    func validateFraction() throws {
        if !(valFraction >= 0 && valFraction < 1) {
            throw ValidationError("invalid --val-fraction '\(valFraction)': expected a fraction in [0, 1)")
        }
    }

    func path() throws -> String { try data ?? BundledData.path() }
}

/// The splits a training run uses, loaded and checked against each other.
struct LoadedData {
    var path: String
    var train: DatasetSplit
    var validation: DatasetSplit?
    var test: DatasetSplit?
    /// Classes (labels) or regression targets: the network's output width.
    var outputs: Int

    /// Most classes accepted; a larger label is almost surely a mistake in the file.
    static let classLimit = 100_000

    init(_ options: DataOptions, seed: UInt64) throws {
        path = try options.path()
        let file = try DatasetReader.openFile(path)
        var train = try DatasetReader.load(file, .init(x: options.trainX, y: options.trainY))
        let test = DatasetReader.has(file, options.testX)
            ? try DatasetReader.load(file, .init(x: options.testX, y: options.testY)) : nil
        var validation = DatasetReader.has(file, "/val/x") ? try DatasetReader.load(file, .named("val")) : nil
        if validation == nil, options.valFraction > 0 {
            // A fixed shuffle of the rows decides the held-out set: same seed, same split.
            let order = Shuffle.permutation(count: train.rows, seed: seed, epoch: 0, purpose: .validationSplit)
            let held = Int((Double(train.rows) * options.valFraction).rounded())
            guard held > 0, held < train.rows else {
                throw SpindleCLIError("--val-fraction \(options.valFraction) of \(train.rows) rows leaves " +
                                      "\(held) validation rows; expected at least 1 and fewer than all")
            }
            validation = train.subset(Array(order[..<held]).sorted(), name: train.name + "[validation]")
            train = train.subset(Array(order[held...]).sorted(), name: train.name)
        }
        for other in [test, validation].compactMap({ $0 }) where other.featureCount != train.featureCount {
            throw SpindleError.invalidData(
                location: other.name + "/x",
                problem: "has \(other.featureCount) features, but the training data has \(train.featureCount)")
        }
        if let width = train.targetWidth {
            outputs = width
            for other in [test, validation].compactMap({ $0 }) where other.targetWidth != width {
                throw SpindleError.invalidData(location: other.name + "/y",
                                               problem: "targets do not match the training targets' width \(width)")
            }
        } else {
            let bound = [train, test, validation].compactMap { $0?.labelBound }.max() ?? 1
            guard bound <= Self.classLimit else {
                throw SpindleError.invalidData(
                    location: train.name + "/y",
                    problem: "label \(bound - 1) is out of range; expected class indices below \(Self.classLimit)")
            }
            outputs = max(bound, 2)
        }
        self.train = train
        self.validation = validation
        self.test = test
    }
}
