/// The median of a column's float32 values, in memory that does not grow with the row count.
///
/// Up to `exactLimit` values are kept and the median is exact (NumPy's: the mean of the two middle
/// values for an even count). Past that, the values move into a histogram of 2^16 bins over the
/// top 16 bits of each float's order-preserving key (sign, 8 exponent bits, 7 mantissa bits), and
/// the median is the centre of the bin that holds it: within 2^-8 of its value, relatively.
/// A table import keeps one per numeric column, so the limit is shared out (`TableProfile`).
struct StreamingMedian {
    let exactLimit: Int
    private var values: [Float] = []
    private var histogram: [UInt32] = []
    private(set) var count = 0

    init(exactLimit: Int) {
        self.exactLimit = max(exactLimit, 1)
    }

    /// Whether the median is exact (all values were kept).
    var isExact: Bool { histogram.isEmpty }

    @inline(__always)
    mutating func add(_ value: Float) {
        count += 1
        if histogram.isEmpty {
            values.append(value)
            if values.count > exactLimit { spill() }
        } else {
            histogram[Self.bin(value)] &+= 1
        }
    }

    /// Moves the kept values into the histogram.
    private mutating func spill() {
        histogram = Array(repeating: 0, count: 1 << 16)
        for value in values { histogram[Self.bin(value)] &+= 1 }
        values = []
    }

    /// The top 16 bits of a key that orders like the floats: negative floats have their bits
    /// flipped, positive ones their sign bit set.
    @inline(__always)
    private static func bin(_ value: Float) -> Int {
        let bits = value.bitPattern
        let key = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return Int(key >> 16)
    }

    /// The float whose key is `key`.
    private static func value(key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }

    /// The median, or nil for no values.
    func median() -> Float? {
        guard count > 0 else { return nil }
        if histogram.isEmpty {
            let sorted = values.sorted()
            let middle = sorted.count / 2
            if sorted.count % 2 == 1 { return sorted[middle] }
            return Float((Double(sorted[middle - 1]) + Double(sorted[middle])) / 2)
        }
        // The bin of the element at rank ⌊(n−1)/2⌋, its centre key's float.
        let target = UInt64((count - 1) / 2)
        var seen: UInt64 = 0
        for (bin, n) in histogram.enumerated() {
            seen += UInt64(n)
            if seen > target { return Self.value(key: UInt32(bin) << 16 | 0x8000) }
        }
        return nil  // unreachable: the counts add up to `count`
    }
}
