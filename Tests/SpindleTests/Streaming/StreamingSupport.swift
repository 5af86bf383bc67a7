import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport

/// A scratch HDF5 file holding /train/x (as `type`, chunked by `chunkRows`) and /train/y labels,
/// removed when the value goes away.
final class StreamFixture {
    let directory: TemporaryDirectory
    let path: String
    let split: DatasetSplit

    /// Rows' features are row·F + j (mod 251 for integer types), labels row mod `classes`.
    init(rows: Int, features: Int, classes: Int = 3, type: H5ElementType = .float32, chunkRows: Int? = 16,
         gzip: Int? = nil, shuffle: Bool = false) throws {
        directory = try TemporaryDirectory(prefix: "stream")
        path = directory.path("data.h5")
        let values = (0..<(rows * features)).map { Float(type.isFloat ? Double($0) * 0.5 : Double($0 % 251)) }
        let labels = (0..<rows).map { Int32($0 % classes) }
        let file = try H5File.create(path)
        let x = try file.createDataset("train/x", type: type, shape: [rows, features],
                                       chunkShape: chunkRows.map { [$0, features] }, gzipLevel: gzip, shuffle: shuffle)
        try x.write(values)
        let y = try file.createDataset("train/y", type: .int64, shape: [rows])
        try y.write(labels.map { Int64($0) })
        split = DatasetSplit(name: "fixture", rows: rows, featureCount: features,
                             features: .float32(type == .uint8 ? values.map { $0 / 255 } : values),
                             targets: .labels(labels))
    }

    func streamed() throws -> StreamedSplit {
        try StreamedSplit.open(path, .named("train"))
    }
}

/// The features and labels of `batch`, as a worker gathers them.
func gathered(_ batch: Batch, features: Int) throws -> (x: [Float], y: [Int32]) {
    var x = [Float](repeating: .nan, count: batch.count * features)
    var y = [Int32](repeating: -1, count: batch.count)
    try x.withUnsafeMutableBufferPointer { xs in
        try y.withUnsafeMutableBufferPointer { ys in
            try batch.gather(rows: 0..<batch.count, into: xs, labels: ys)
        }
    }
    return (x, y)
}
