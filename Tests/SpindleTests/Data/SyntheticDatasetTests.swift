import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

@Suite struct SyntheticDatasetTests {
    private func contents(_ path: String) throws -> (x: [Float], y: [Int64], testX: [Float], testY: [Int64]) {
        let file = try H5File.open(path)
        let x: [Float] = try file.openDataset("train/x").readAll()
        let y: [Int64] = try file.openDataset("train/y").readAll()
        let testX: [Float] = try file.openDataset("test/x").readAll()
        let testY: [Int64] = try file.openDataset("test/y").readAll()
        return (x, y, testX, testY)
    }

    @Test func sameSeedSameBytesDifferentSeedDifferent() throws {
        let directory = try TemporaryDirectory()
        let a = directory.path("a.h5"), b = directory.path("b.h5"), c = directory.path("c.h5")
        defer { for p in [a, b, c] { unlink(p) } }
        try SyntheticDataset(rows: 500, features: 10, classes: 3, seed: 7).write(to: a, testRows: 50, chunkRows: 64)
        try SyntheticDataset(rows: 500, features: 10, classes: 3, seed: 7).write(to: b, testRows: 50, chunkRows: 64)
        try SyntheticDataset(rows: 500, features: 10, classes: 3, seed: 8).write(to: c, testRows: 50, chunkRows: 64)
        let da = try contents(a), db = try contents(b), dc = try contents(c)
        #expect(da.x == db.x && da.y == db.y && da.testX == db.testX && da.testY == db.testY)
        #expect(da.x != dc.x)
        #expect(da.y != dc.y)
        #expect(da.x != Array(da.testX.prefix(da.x.count)))
    }

    @Test func labelsInRangeAndEveryClassPresent() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("labels.h5")
        defer { unlink(path) }
        for classes in [2, 4, 10] {
            try SyntheticDataset(rows: 5000, features: 20, classes: classes, seed: 1).write(to: path, testRows: 500, chunkRows: 1024)
            let d = try contents(path)
            #expect(d.y.count == 5000 && d.testY.count == 500)
            #expect(d.y.allSatisfy { $0 >= 0 && $0 < Int64(classes) })
            #expect(Set(d.y).count == classes, "classes \(classes): \(Set(d.y).sorted())")
            #expect(d.x.count == 5000 * 20 && d.x.allSatisfy { $0.isFinite })
            let mean = d.x.reduce(0, +) / Float(d.x.count)
            let variance = d.x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(d.x.count)
            #expect(abs(mean) < 0.05 && abs(variance - 1) < 0.05, "mean \(mean), variance \(variance)")
        }
    }

    @Test func chunkedWritingOfARaggedRowCountMatchesOneChunk() throws {
        let directory = try TemporaryDirectory()
        let chunked = directory.path("chunked.h5"), whole = directory.path("whole.h5")
        defer { unlink(chunked); unlink(whole) }
        let dataset = SyntheticDataset(rows: 1000, features: 7, classes: 4, seed: 3)
        try dataset.write(to: chunked, testRows: 123, chunkRows: 300)  // 1000 = 3 × 300 + 100
        try dataset.write(to: whole, testRows: 123, chunkRows: 5000)
        let a = try contents(chunked), b = try contents(whole)
        #expect(a.x.count == 7000 && a.y.count == 1000 && a.testX.count == 7 * 123 && a.testY.count == 123)
        #expect(a.x == b.x && a.y == b.y && a.testX == b.testX && a.testY == b.testY)
        let file = try H5File.open(chunked)
        #expect(try file.openDataset("train/x").shape == [1000, 7])
    }

    @Test func uint8FeaturesScaleTo0Through255() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("bytes.h5")
        defer { unlink(path) }
        try SyntheticDataset(rows: 300, features: 9, classes: 3, seed: 2, featureType: .uint8).write(to: path, testRows: 30)
        let file = try H5File.open(path)
        let x = try file.openDataset("train/x")
        #expect(x.elementType == .uint8)
        let bytes: [UInt8] = try x.readAll()
        #expect(bytes.count == 2700 && Set(bytes).count > 100 && bytes.min()! < 64 && bytes.max()! > 192)
    }
}
