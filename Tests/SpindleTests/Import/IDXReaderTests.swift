import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// IDX files built byte by byte here, read back raw and gzip-compressed.
@Suite("IDXReader")
struct IDXReaderTests {
    /// 3 images of 2 × 2 pixels: image n holds n·10 + 0…3.
    static let pixels: [UInt8] = [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 255]
    static let labels: [UInt8] = [9, 0, 7]

    @Test("images and labels, raw and gzip", arguments: [false, true])
    func readsImagesAndLabels(gzipped: Bool) throws {
        let dir = try TemporaryDirectory()
        let imageBytes = ImportFixtures.idx(dims: [3, 2, 2], data: Self.pixels)
        let labelBytes = ImportFixtures.idx(dims: [3], data: Self.labels)
        // The names deliberately lie about compression: detection must go by the 1f 8b magic.
        let images = gzipped ? try dir.writeGzip("images", bytes: imageBytes) : try dir.write("images.gz", bytes: imageBytes)
        let labels = gzipped ? try dir.writeGzip("labels", bytes: labelBytes) : try dir.write("labels.gz", bytes: labelBytes)

        let read = try IDXReader.readImages(images)
        #expect(read.rows == 3)
        #expect(read.features == 4)
        #expect(read.pixels == Self.pixels)
        #expect(try IDXReader.readLabels(labels) == [9, 0, 7])

        let table = try IDXReader.table(images: images, labels: labels)
        #expect(table.rows == 3)
        #expect(table.featureCount == 4)
        guard case .uint8(let features) = table.features, case .labels(let targets) = table.targets else {
            Issue.record("expected uint8 features and labels")
            return
        }
        #expect(features == Self.pixels)
        #expect(targets == [9, 0, 7])
    }

    @Test("limit reads the first rows", arguments: [(1, 1), (2, 2), (3, 3), (100, 3)])
    func limit(limit: Int, rows: Int) throws {
        let dir = try TemporaryDirectory()
        let images = try dir.writeGzip("i", bytes: ImportFixtures.idx(dims: [3, 2, 2], data: Self.pixels))
        let labels = try dir.write("l", bytes: ImportFixtures.idx(dims: [3], data: Self.labels))
        let table = try IDXReader.table(images: images, labels: labels, limit: limit)
        #expect(table.rows == rows)
        guard case .uint8(let features) = table.features, case .labels(let targets) = table.targets else {
            Issue.record("expected uint8 features and labels")
            return
        }
        #expect(features == Array(Self.pixels.prefix(rows * 4)))
        #expect(targets == Self.labels.prefix(rows).map(Int64.init))
    }

    @Test("rank-2 and rank-4 uint8 files flatten to (N, F)")
    func otherRanks() throws {
        let dir = try TemporaryDirectory()
        let flat = try dir.write("flat", bytes: ImportFixtures.idx(dims: [2, 6], data: Array(0 ..< 12)))
        let deep = try dir.write("deep", bytes: ImportFixtures.idx(dims: [2, 1, 2, 3], data: Array(0 ..< 12)))
        for path in [flat, deep] {
            let read = try IDXReader.readImages(path)
            #expect(read.rows == 2 && read.features == 6)
            #expect(read.pixels == Array(0 ..< 12))
        }
    }

    /// Fashion-MNIST as Debian ships it, checked against Python's gzip + NumPy reading the same bytes.
    @Test(
        "Debian's Fashion-MNIST matches NumPy",
        .enabled(if: FileManager.default.fileExists(atPath: fashionMNIST + "/train-labels-idx1-ubyte.gz")),
        .enabled(if: ImportFixtures.hasNumpy))
    func debianFashionMNIST() throws {
        let labels = Self.fashionMNIST + "/train-labels-idx1-ubyte.gz"
        let images = Self.fashionMNIST + "/train-images-idx3-ubyte.gz"
        let reference = try ImportFixtures.python("""
            import gzip, sys, numpy as np
            y = np.frombuffer(gzip.open(sys.argv[1]).read(), np.uint8, offset=8)
            x = np.frombuffer(gzip.open(sys.argv[2]).read(), np.uint8, offset=16).reshape(len(y), -1)
            print(*y[:5], len(y), x.shape[1], int(x[0].sum()), int(x[-1].sum()), int(x.ravel()[::1009].sum()))
            """, [labels, images]).split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines))! }

        #expect(try IDXReader.readLabels(labels, limit: 5) == reference[0 ..< 5].map(Int64.init))
        let table = try IDXReader.table(images: images, labels: labels)
        #expect(table.rows == reference[5])
        #expect(table.featureCount == reference[6])
        guard case .uint8(let pixels) = table.features else {
            Issue.record("expected uint8 features")
            return
        }
        let rowLength = table.featureCount
        #expect(pixels.prefix(rowLength).reduce(0) { $0 + Int($1) } == reference[7])
        #expect(pixels.suffix(rowLength).reduce(0) { $0 + Int($1) } == reference[8])
        // A strided sample of the whole file: summing all 47 M pixels is slow in a debug build.
        #expect(stride(from: 0, to: pixels.count, by: 1009).reduce(0) { $0 + Int(pixels[$1]) } == reference[9])
    }

    static let fashionMNIST = "/usr/share/datasets/fashion-mnist"
}
