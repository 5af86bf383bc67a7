import Foundation
import Spindle
import Testing

/// `Batch.gather(rows:into:…)`, the public gather, checks every buffer and target against the
/// batch before it writes, and writes what an independent reading of the split says.
///
/// Letters: B batch rows, F features, T targets per row.
@Suite struct BatchGatherTests {
    /// 10 rows, F = 3, uint8 features 10·row + j, labels row mod 3.
    static let bytes = DatasetSplit(name: "mem:/bytes", rows: 10, featureCount: 3,
                                    features: .uint8((0..<30).map { UInt8(10 * ($0 / 3) + $0 % 3) }),
                                    targets: .labels((0..<10).map { Int32($0 % 3) }))

    @Test func writesTheRowsConvertedAndOneHot() throws {
        let batch = Batch(split: Self.bytes, indices: [7, 2, 9][...])
        var x = [Float](repeating: .nan, count: 3 * 3), labels = [Int32](repeating: -1, count: 3)
        var targets = [Float](repeating: .nan, count: 3 * 3)
        try x.withUnsafeMutableBufferPointer { x in
            try labels.withUnsafeMutableBufferPointer { labels in
                try targets.withUnsafeMutableBufferPointer { targets in
                    try batch.gather(rows: 0..<3, into: x, labels: labels, targets: targets, targetWidth: 3)
                }
            }
        }
        // Row r of the store holds 10r, 10r + 1, 10r + 2, scaled by 1/255; its label is r mod 3.
        #expect(x == [70, 71, 72, 20, 21, 22, 90, 91, 92].map { Float($0) / 255 })
        #expect(labels == [1, 2, 0])
        #expect(targets == [0, 1, 0, 0, 0, 1, 1, 0, 0])
    }

    @Test func refusesWhatDoesNotFit() {
        let batch = Batch(split: Self.bytes, indices: [0, 1, 2, 5][...])
        func gather(x: Int = 12, labels: Int? = nil, targets: Int? = nil, width: Int = 0, rows: Range<Int> = 0..<4,
                    scaling: FeatureScaling? = nil) throws {
            var xs = [Float](repeating: 0, count: x), ls = [Int32](repeating: 0, count: labels ?? 0)
            var ts = [Float](repeating: 0, count: targets ?? 0)
            try xs.withUnsafeMutableBufferPointer { xs in
                try ls.withUnsafeMutableBufferPointer { ls in
                    try ts.withUnsafeMutableBufferPointer { ts in
                        try batch.gather(rows: rows, into: xs, labels: labels == nil ? nil : ls,
                                         targets: targets == nil ? nil : ts, targetWidth: width, scaling: scaling)
                    }
                }
            }
        }
        expectRefusal("batch of 4 rows: has no rows 2..<6; expected a range within 0..<4") { try gather(rows: 2..<6) }
        expectRefusal("batch of 4 rows: x holds 11 values; rows 0..<4 of 3 need 12") { try gather(x: 11) }
        expectRefusal("batch of 4 rows: labels holds 3 values; rows 0..<4 of 1 need 4") { try gather(labels: 3) }
        expectRefusal("batch of 4 rows: targets holds 7 values; rows 0..<4 of 2 need 8") { try gather(targets: 7, width: 2) }
        expectRefusal("batch of 4 rows: label 2 at batch row 2 is out of range: expected 0..<2") { try gather(targets: 8, width: 2) }
        expectRefusal("batch of 4 rows: has 3 features, but the standardisation has 2") {
            try gather(scaling: FeatureScaling(mean: [0, 0], std: [1, 1]))
        }
        let values = regressionSplit("mem:/values", rows: 4, width: 2)
        expectRefusal("batch of 2 rows: has 2 targets per row, but targetWidth is 3") {
            var x = [Float](repeating: 0, count: 6), t = [Float](repeating: 0, count: 6)
            try x.withUnsafeMutableBufferPointer { x in
                try t.withUnsafeMutableBufferPointer { t in
                    try Batch(split: values, indices: [0, 1][...]).gather(rows: 0..<2, into: x, targets: t, targetWidth: 3)
                }
            }
        }
    }

    @Test func refusesRowsOutsideTheStoreAndStoresThatDisagree() {
        var x = [Float](repeating: 0, count: 12)
        expectRefusal("batch of 2 rows: asks for row 10 of a store of 10 rows") {
            try x.withUnsafeMutableBufferPointer { try Batch(split: Self.bytes, indices: [0, 10][...]).gather(rows: 0..<2, into: $0) }
        }
        let wider = labelledSplit("mem:/wide", rows: 4, features: 4)
        expectRefusal("batch of 2 rows: mixes rows of 3 and 4 features (or labels with float targets)") {
            try x.withUnsafeMutableBufferPointer {
                try Batch([(Self.bytes, [0][...]), (wider, [0][...])]).gather(rows: 0..<2, into: $0)
            }
        }
    }
}
