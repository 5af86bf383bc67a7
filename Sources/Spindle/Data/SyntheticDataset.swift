import Foundation
import HDF5Kit

/// A learnable synthetic classification dataset of any size, written chunk by chunk so that it is
/// never held in memory.
///
/// Row `r`, features `4k ..< 4k + 4` are standard normals made (Box–Muller) from the four words of
/// `Philox.block((r, r >> 32, k, .synthetic), seed)`. Test rows continue the numbering after the training rows, so the
/// splits never share a row. Each row's label is the argmax of a fixed random "teacher" network —
/// one hidden layer of 32 tanh units — applied to the row; its weights come
/// from Philox too (with a key derived from the seed), so the same seed gives the same bytes.
public struct SyntheticDataset: Sendable {
    /// Element type of the stored features.
    public enum FeatureType: String, Sendable, CaseIterable {
        /// The standard normal values.
        case float32
        /// Integers 0–255: 128 + 32 × the value, rounded down and clamped (±4 standard deviations).
        case uint8
    }

    public var rows: Int
    public var features: Int
    public var classes: Int
    public var seed: UInt64
    public var featureType: FeatureType
    /// Deflate level of x's chunks (1–9), or nil to store them uncompressed.
    public var gzipLevel: Int?

    /// Hidden units of the teacher network.
    public static let teacherHidden = 32

    public init(rows: Int, features: Int, classes: Int, seed: UInt64 = 0, featureType: FeatureType = .float32,
                gzipLevel: Int? = nil) {
        precondition(rows >= 1 && features >= 1 && classes >= 2, "invalid synthetic dataset shape")
        self.rows = rows
        self.features = features
        self.classes = classes
        self.seed = seed
        self.featureType = featureType
        self.gzipLevel = gzipLevel
    }

    /// The default number of test rows: a tenth of the training rows, at least 1 and at most 100,000.
    public static func defaultTestRows(forTrainRows rows: Int) -> Int { max(1, min(rows / 10, 100_000)) }

    /// Writes /train/x [rows, features], /train/y [rows] (int64), /test/x and /test/y
    /// [testRows, …] to `path` atomically, generating and writing at most `chunkRows` rows at a time.
    public func write(to path: String, testRows: Int, chunkRows: Int = 1024) throws {
        precondition(testRows >= 0 && chunkRows >= 1, "invalid test rows or chunk rows")
        let teacher = Teacher(features: features, classes: classes, seed: seed)
        let elementBytes = featureType == .uint8 ? 1 : 4
        let totalRows = rows + testRows
        let expectedBytes = totalRows * (features * elementBytes + 8)
        try AtomicFile.writeHDF5(to: path, reserving: expectedBytes) { file in
            try writeSplit(file, name: "train", firstRow: 0, count: rows, chunkRows: chunkRows, teacher: teacher)
            try writeSplit(file, name: "test", firstRow: rows, count: testRows, chunkRows: chunkRows, teacher: teacher)
        }
    }

    private func writeSplit(_ file: H5File, name: String, firstRow: Int, count: Int, chunkRows: Int,
                            teacher: Teacher) throws {
        let group = try file.createGroup(name)
        let elementBytes = featureType == .uint8 ? 1 : 4
        // Storage chunks of at most `chunkRows` rows and ≤ 1 MiB; rows are generated a chunk at a time.
        let block = max(1, min(chunkRows, DatasetWriter.chunkRows(rowBytes: elementBytes * features, rows: count)))
        let x = try group.createDataset("x", type: featureType == .uint8 ? .uint8 : .float32,
                                        shape: [count, features], chunkShape: [block, features], gzipLevel: gzipLevel)
        let y = try group.createDataset("y", type: .int64, shape: [count],
                                        chunkShape: [max(1, min(count, 1 << 16))])
        var values = [Float](repeating: 0, count: block * features)
        var bytes = [UInt8](repeating: 0, count: featureType == .uint8 ? block * features : 0)
        var labels = [Int64](repeating: 0, count: block)
        var start = 0
        while start < count {
            let n = min(block, count - start)
            values.withUnsafeMutableBufferPointer { v in
                fillFeatures(v, firstRow: firstRow + start, rows: n)
                labels.withUnsafeMutableBufferPointer { l in teacher.label(v, rows: n, into: l) }
            }
            switch featureType {
            case .float32:
                try values.withUnsafeBufferPointer {
                    try x.write(rows: start..<(start + n), from: UnsafeBufferPointer(rebasing: $0[0..<(n * features)]))
                }
            case .uint8:
                for i in 0..<(n * features) { bytes[i] = UInt8(max(0, min(255, Int((128 + 32 * values[i]).rounded(.down))))) }
                try bytes.withUnsafeBufferPointer {
                    try x.write(rows: start..<(start + n), from: UnsafeBufferPointer(rebasing: $0[0..<(n * features)]))
                }
            }
            try labels.withUnsafeBufferPointer {
                try y.write(rows: start..<(start + n), from: UnsafeBufferPointer(rebasing: $0[0..<n]))
            }
            start += n
        }
    }

    /// Standard normal features for rows `firstRow ..< firstRow + rows`.
    private func fillFeatures(_ out: UnsafeMutableBufferPointer<Float>, firstRow: Int, rows: Int) {
        let f = features
        for i in 0..<rows {
            let row = UInt64(firstRow + i)
            let base = i * f
            var j = 0
            while j < f {
                let b = Philox.block((UInt32(truncatingIfNeeded: row), UInt32(truncatingIfNeeded: row >> 32),
                                      UInt32(truncatingIfNeeded: j / 4), RandomPurpose.synthetic.rawValue), key: seed)
                // Box–Muller: each pair of uniform words gives two independent standard normals.
                let r0 = (-2 * log(max(Philox.unitFloat(b.0), 1e-7))).squareRoot(), t0 = 2 * Float.pi * Philox.unitFloat(b.1)
                let r1 = (-2 * log(max(Philox.unitFloat(b.2), 1e-7))).squareRoot(), t1 = 2 * Float.pi * Philox.unitFloat(b.3)
                out[base + j] = r0 * cos(t0)
                if j + 1 < f { out[base + j + 1] = r0 * sin(t0) }
                if j + 2 < f { out[base + j + 2] = r1 * cos(t1) }
                if j + 3 < f { out[base + j + 3] = r1 * sin(t1) }
                j += 4
            }
        }
    }

    /// The fixed random network whose argmax is the label.
    struct Teacher: Sendable {
        let features: Int, classes: Int
        /// [features, hidden], row-major, scaled so each hidden pre-activation has standard deviation ~1.
        let w1: [Float]
        /// [hidden, classes], each class's column of unit length.
        let w2: [Float]

        init(features: Int, classes: Int, seed: UInt64) {
            self.features = features
            self.classes = classes
            let hidden = SyntheticDataset.teacherHidden
            let key = seed ^ 0x5EED_7EAC_4E12_0001
            func normals(_ count: Int, layer: UInt32) -> [Float] {
                (0..<count).map { i in
                    let b = Philox.block((UInt32(truncatingIfNeeded: i), layer, 0, RandomPurpose.synthetic.rawValue), key: key)
                    let u1 = max(Philox.unitFloat(b.0), 1e-7), u2 = Philox.unitFloat(b.1)
                    return (-2 * log(u1)).squareRoot() * cos(2 * Float.pi * u2)
                }
            }
            // Inputs have variance 1: hidden pre-activations get standard deviation 1.
            let scale = (1 / Float(features)).squareRoot()
            w1 = normals(features * hidden, layer: 1).map { $0 * scale }
            var w2 = normals(hidden * classes, layer: 2)
            for c in 0..<classes {
                var norm: Float = 0
                for k in 0..<hidden { norm += w2[k * classes + c] * w2[k * classes + c] }
                let inverse = 1 / max(norm.squareRoot(), 1e-6)
                for k in 0..<hidden { w2[k * classes + c] *= inverse }
            }
            self.w2 = w2
        }

        func label(_ x: UnsafeMutableBufferPointer<Float>, rows: Int, into labels: UnsafeMutableBufferPointer<Int64>) {
            let hidden = SyntheticDataset.teacherHidden
            var h = [Float](repeating: 0, count: hidden)
            var scores = [Float](repeating: 0, count: classes)
            w1.withUnsafeBufferPointer { w1 in
                h.withUnsafeMutableBufferPointer { h in
                    for i in 0..<rows {
                        for k in 0..<hidden { h[k] = 0 }
                        let base = i * features
                        for j in 0..<features {
                            let v = x[base + j]
                            let w = j * hidden
                            for k in 0..<hidden { h[k] += v * w1[w + k] }  // axpy: vectorizes
                        }
                        for c in 0..<classes { scores[c] = 0 }
                        for k in 0..<hidden {
                            let t = tanh(h[k])
                            for c in 0..<classes { scores[c] += t * w2[k * classes + c] }
                        }
                        var best = 0
                        for c in 1..<classes where scores[c] > scores[best] { best = c }
                        labels[i] = Int64(best)
                    }
                }
            }
        }
    }
}
