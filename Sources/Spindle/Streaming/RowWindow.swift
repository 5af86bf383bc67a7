import HDF5Kit

/// One reusable buffer of streamed rows, in the file's own element type: the reader thread fills
/// it with raw bytes (no conversion under the HDF5 lock) and the workers convert while they gather
/// their rows of a batch.
public final class RowWindow: RowStore, @unchecked Sendable {
    public let featureCount: Int
    public let elementType: H5ElementType
    public let capacity: Int
    public let targets: TargetKind
    /// Rows currently held.
    public internal(set) var rows = 0
    /// The order the window's rows are visited in: a permutation of 0..<rows for a shuffled
    /// window, identity for a sequential one. Computed by the reader, off the training thread.
    public internal(set) var order: [Int] = []
    let features: UnsafeMutableRawPointer
    let labels: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Float>
    /// For deflated data: the window's chunks as stored, which the workers inflate into
    /// `features` (`tasks[nextTask...]` are still to do). Written by the reader before it hands
    /// the window over; afterwards touched by the training thread alone.
    private(set) var staging = UnsafeMutableRawPointer.allocate(byteCount: 0, alignment: 64)
    private var stagingCapacity = 0
    var tasks: [ChunkInflation.Task] = []
    var nextTask = 0

    /// What a split's y holds.
    public enum TargetKind: Equatable, Sendable {
        case labels
        case values(width: Int)
        case none
    }

    public init(featureCount: Int, elementType: H5ElementType, capacity: Int, targets: TargetKind) {
        self.featureCount = featureCount
        self.elementType = elementType
        self.capacity = capacity
        self.targets = targets
        features = .allocate(byteCount: capacity * featureCount * elementType.byteSize, alignment: 64)
        labels = .allocate(capacity: targets == .labels ? capacity : 0)
        if case .values(let width) = targets {
            values = .allocate(capacity: capacity * width)
        } else {
            values = .allocate(capacity: 0)
        }
    }

    deinit {
        staging.deallocate()
        features.deallocate()
        labels.deallocate()
        values.deallocate()
    }

    public var hasLabels: Bool { targets == .labels }

    /// Whether every row holds its features (no chunk left to inflate).
    var isInflated: Bool { nextTask == tasks.count }

    /// Grows the staging buffer to at least `bytes`, keeping the first `used` bytes.
    func reserveStaging(_ bytes: Int, used: Int) {
        guard bytes > stagingCapacity else { return }
        let capacity = max(bytes, stagingCapacity * 5 / 4)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        grown.copyMemory(from: staging, byteCount: used)
        staging.deallocate()
        staging = grown
        stagingCapacity = capacity
    }

    /// Bytes this window holds at capacity.
    public static func bytes(rows: Int, featureCount: Int, elementType: H5ElementType, targets: TargetKind) -> Int {
        let targetBytes: Int
        switch targets {
        case .labels: targetBytes = 4
        case .values(let width): targetBytes = 4 * width
        case .none: targetBytes = 0
        }
        return rows * (featureCount * elementType.byteSize + targetBytes + MemoryLayout<Int>.size)
    }

    public func gatherLabels(_ indices: ArraySlice<Int>, into labels: UnsafeMutablePointer<Int32>) {
        precondition(targets == .labels, "RowWindow.gatherLabels: the window holds no labels")
        for (r, i) in indices.enumerated() { labels[r] = self.labels[i] }
    }

    public func gather(_ indices: ArraySlice<Int>, x: UnsafeMutablePointer<Float>,
                       labels: UnsafeMutablePointer<Int32>?, targets: UnsafeMutablePointer<Float>?,
                       targetWidth: Int) {
        let f = featureCount
        for (r, i) in indices.enumerated() {
            convertRow(i, into: x + r * f)
        }
        switch self.targets {
        case .labels:
            for (r, i) in indices.enumerated() {
                labels?[r] = self.labels[i]
                if let targets { writeOneHot(self.labels[i], into: targets + r * targetWidth, width: targetWidth) }
            }
        case .values(let width):
            guard let targets else { return }
            precondition(width == targetWidth, "RowWindow.gather: \(width) targets a row into rows of \(targetWidth)")
            for (r, i) in indices.enumerated() { (targets + r * width).update(from: values + i * width, count: width) }
        case .none:
            break
        }
    }

    /// Row `i` as Float: uint8 scaled by 1/255 (as when a split is loaded whole), other integers,
    /// float16 and float64 converted as they are.
    @inline(__always)
    private func convertRow(_ i: Int, into dst: UnsafeMutablePointer<Float>) {
        let f = featureCount, start = i * f
        switch elementType {
        case .uint8: Self.convert(features, UInt8.self, start, f, dst) { Float($0) / 255 }
        case .int8: Self.convert(features, Int8.self, start, f, dst) { Float($0) }
        case .uint16: Self.convert(features, UInt16.self, start, f, dst) { Float($0) }
        case .int16: Self.convert(features, Int16.self, start, f, dst) { Float($0) }
        case .uint32: Self.convert(features, UInt32.self, start, f, dst) { Float($0) }
        case .int32: Self.convert(features, Int32.self, start, f, dst) { Float($0) }
        case .uint64: Self.convert(features, UInt64.self, start, f, dst) { Float($0) }
        case .int64: Self.convert(features, Int64.self, start, f, dst) { Float($0) }
        case .float16: Self.convert(features, UInt16.self, start, f, dst, Self.halfToFloat)
        case .float32: dst.update(from: features.assumingMemoryBound(to: Float.self) + start, count: f)
        case .float64: Self.convert(features, Double.self, start, f, dst) { Float($0) }
        }
    }

    @inline(__always)
    private static func convert<T>(_ raw: UnsafeMutableRawPointer, _: T.Type, _ start: Int, _ count: Int,
                                   _ dst: UnsafeMutablePointer<Float>, _ transform: (T) -> Float) {
        let src = raw.assumingMemoryBound(to: T.self) + start
        for j in 0..<count { dst[j] = transform(src[j]) }
    }

    /// IEEE binary16 bits as a Float, exactly (every half is a float). Written out rather than
    /// through Swift's `Float16`, which Intel Macs lack; HDF5's own conversion (used when a split
    /// is loaded whole) gives the same values, as a test checks.
    @inline(__always)
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2^-24, exact in float32.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            // Inf or NaN: all-ones exponent, the mantissa kept in the top bits.
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            // Rebias the exponent from 15 to 127; the 10 mantissa bits become the top of 23.
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// The first feature among rows `rows` that is not finite as a Float (NaN, ±inf, or a float64
    /// beyond float32's range), as (row, column); nil for integer data, which always converts.
    func firstNonFinite(in rows: Range<Int>) -> (row: Int, column: Int)? {
        let f = featureCount, elements = (rows.lowerBound * f)..<(rows.upperBound * f)
        switch elementType {
        case .float32:
            // A float32 is not finite exactly when its exponent bits are all ones, that is when
            // ~(bits | 0x807F_FFFF) is 0. Taking the minimum of that over the window vectorises
            // (this pass runs at memory speed on the reader thread); only a hit is looked for.
            let bits = features.assumingMemoryBound(to: UInt32.self)
            var smallest = UInt32.max
            for i in elements { smallest = min(smallest, ~(bits[i] | 0x807F_FFFF)) }
            guard smallest == 0 else { return nil }
            let p = features.assumingMemoryBound(to: Float.self)
            return elements.first { !p[$0].isFinite }.map { ($0 / f, $0 % f) }
        case .float16:
            let p = features.assumingMemoryBound(to: UInt16.self)
            return elements.first { p[$0] & 0x7C00 == 0x7C00 }.map { ($0 / f, $0 % f) }
        case .float64:
            let p = features.assumingMemoryBound(to: Double.self)
            return elements.first { !Float(p[$0]).isFinite }.map { ($0 / f, $0 % f) }
        default:
            return nil
        }
    }
}
