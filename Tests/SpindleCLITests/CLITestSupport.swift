import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

// Shared helpers of the end-to-end tests: run the `spindle` binary (and python3 with h5py) in a
// test's temporary directory, capture what it prints, and make small dataset files. The
// directory and the process runner are SpindleTestSupport's, shared with the other test targets.

/// The `spindle` executable that `swift test` built beside the test bundle.
func spindleExecutable(sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
    let directory = Bundle.main.executableURL!.deletingLastPathComponent()
    let binary = directory.appendingPathComponent("spindle")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        Issue.record("no spindle executable at \(binary.path); build the package before running SpindleCLITests",
                     sourceLocation: sourceLocation)
        throw CocoaError(.fileNoSuchFile)
    }
    return binary
}

/// Runs `spindle arguments…` in `directory` and returns what it printed; records an issue if it
/// does not finish within `timeout` seconds (and kills it).
@discardableResult
func spindle(_ arguments: [String], in directory: TemporaryDirectory, timeout: Double = 120,
             sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    try runProcess(try spindleExecutable(sourceLocation: sourceLocation), arguments,
                   in: directory.url, timeout: timeout, sourceLocation: sourceLocation)
}

/// Runs `spindle arguments…` and records an issue, with its output, unless it exits 0.
@discardableResult
func spindleSucceeds(_ arguments: [String], in directory: TemporaryDirectory,
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    let result = try spindle(arguments, in: directory, sourceLocation: sourceLocation)
    #expect(result.status == 0, "spindle \(arguments.joined(separator: " ")) failed:\n\(result.transcript)",
            sourceLocation: sourceLocation)
    return result
}

/// Runs a python3 script (h5py and numpy are imported as h5py and np; the arguments are in
/// sys.argv[1:]) in `directory`, and records an issue with its stderr if it fails.
@discardableResult
func python(_ script: String, _ arguments: String..., in directory: TemporaryDirectory,
            sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    let prelude = "import sys\nimport h5py\nimport numpy as np\n"
    return try expectPython(prelude + script, arguments, in: directory.url, sourceLocation: sourceLocation)
}

/// Parses one line of JSON into an object, recording an issue if it is not one.
func jsonObject(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let parsed = try? JSONSerialization.jsonObject(with: Data(line.utf8))
    return try #require(parsed as? [String: Any], "not a JSON object: \(line)", sourceLocation: sourceLocation)
}

/// Options that keep a training run to a fraction of a second.
let quickTraining = ["--layers", "32", "--epochs", "1", "--max-steps", "20"]

/// Trains a quick model on `data` and returns the path of its model file, `<directory>/model.h5`.
@discardableResult
func trainModel(on data: String, in scratch: TemporaryDirectory, directory: String = "model",
                _ options: [String] = quickTraining,
                sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    try spindleSucceeds(["train", data, "--quiet", "--checkpoint-dir", directory] + options,
                        in: scratch, sourceLocation: sourceLocation)
    return directory + "/model.h5"
}

/// A small, learnable classification dataset: each class is a cluster around its own corner of
/// a hypercube (distance ≥ 3 between corners, uniform noise of ±1), float32 features.
struct SyntheticData {
    var featureCount: Int
    var classes: Int
    var trainX: [Float], trainY: [Int64]
    var testX: [Float], testY: [Int64]
    /// Stored type of x in the file.
    var xType: H5ElementType = .float32
    /// x's shape a row in the file, e.g. an image's [C, H, W] (default [features]): the same
    /// values, row-major, whatever the shape.
    var sampleShape: [Int]? = nil
    /// Rows per storage chunk of x and y (default: contiguous).
    var chunkRows: Int? = nil

    init(trainRows: Int = 120, testRows: Int = 30, features: Int = 6, classes: Int = 3, seed: UInt64 = 1) {
        featureCount = features
        self.classes = classes
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func uniform() -> Float {  // xorshift64*: plenty for test data, and the same on every platform
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return Float((state &* 0x2545_F491_4F6C_DD1D) >> 40) / Float(1 << 24)
        }
        func rows(_ count: Int) -> ([Float], [Int64]) {
            var x: [Float] = [], y: [Int64] = []
            for r in 0..<count {
                let label = r % classes
                y.append(Int64(label))
                for j in 0..<features {
                    let corner: Float = (label >> (j % 4)) & 1 == 1 ? 1.5 : -1.5
                    x.append(corner + (2 * uniform() - 1))
                }
            }
            return (x, y)
        }
        (trainX, trainY) = rows(trainRows)
        (testX, testY) = rows(testRows)
    }

    /// Writes /train/x, /train/y and (when it has rows) /test/x, /test/y; the y shape follows
    /// the label count, so a test can make it disagree with x.
    func write(to path: String) throws {
        let file = try H5File.create(path, overwrite: true)
        func split(_ name: String, _ x: [Float], _ y: [Int64]) throws {
            let rows = x.count / featureCount, sample = sampleShape ?? [featureCount]
            precondition(sample.reduce(1, *) == featureCount, "SyntheticData: rows of \(sample) are not \(featureCount) features")
            let chunk = chunkRows.map { max(1, min($0, rows)) }
            let xs = try file.createDataset("\(name)/x", type: xType, shape: [rows] + sample,
                                            chunkShape: chunk.map { [$0] + sample })
            if rows > 0 { try xs.write(x) }
            let ys = try file.createDataset("\(name)/y", type: .int64, shape: [y.count],
                                            chunkShape: chunk.map { [min($0, max(y.count, 1))] })
            if !y.isEmpty { try ys.write(y) }
        }
        try split("train", trainX, trainY)
        if !testY.isEmpty { try split("test", testX, testY) }
        try file.close()
    }
}

/// The bit patterns of every float32 dataset under `groups` of an HDF5 file, by path.
func floatDatasets(in path: String, under groups: [String] = ["/model", "/optimizer"]) throws -> [String: [UInt32]] {
    let file = try H5File.open(path)
    var result: [String: [UInt32]] = [:]
    func walk(_ group: String) throws {
        for name in try file.openGroup(group).memberNames() {
            let child = group + "/" + name
            switch try file.objectKind(child) {
            case .group: try walk(child)
            case .dataset: result[child] = (try file.openDataset(child).readAll() as [Float]).map(\.bitPattern)
            case .other: break
            }
        }
    }
    for group in groups where file.exists(group) { try walk(group) }
    return result
}

/// The repository's root, found from this file's path (Tests/SpindleCLITests/…).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The bundled dataset.
let bundledData = repositoryRoot.appendingPathComponent("data/fashion-mnist-small.h5").path
