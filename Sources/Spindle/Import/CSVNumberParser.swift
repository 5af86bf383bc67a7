/// Parses the decimal numbers of a CSV field straight from its bytes.
///
/// `Double(String)` costs a String per field, ~7 s for a 133 MB image CSV; almost every field in real
/// files is a short decimal that this reads exactly instead, by Clinger's fast path: when the digits
/// form an integer m ≤ 2^53 and the decimal exponent e satisfies |e| ≤ 22, both m and 10^|e| are
/// exact doubles, so the single IEEE multiply or divide `m × 10^e` is the correctly rounded result —
/// bit-identical to `Double(String)` and to C's `strtod`. Anything else (more digits, large exponents,
/// `nan`, `inf`, hex, junk) returns `nil` and the caller falls back to `Double(String)`.
enum CSVNumberParser {
    /// 10^0 … 10^22, every one exactly representable as a Double (10^22 = 2^22 · 5^22, 5^22 < 2^53).
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of `bytes[start..<end]` when it is `[+-]digits[.digits][(e|E)[+-]digits]` inside the
    /// fast path's exact range; `nil` otherwise (which does not mean the text is not a number).
    static func fastDouble(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Double? {
        precondition(start >= 0 && end <= bytes.count && start <= end, "field \(start)..<\(end) outside \(bytes.count) bytes")
        guard start < end else { return nil }
        return bytes.withUnsafeBufferPointer { fastDouble($0.baseAddress!, start, end) }
    }

    /// `fastDouble` on raw bytes: `bytes[start..<end]` must be valid. Indexing a pointer instead of
    /// an array drops a bounds check per digit (a quarter of a table import's time was this loop).
    @inline(__always)
    static func fastDouble(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var index = start
        var negative = false
        if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        // Integer digits, then fraction digits: two tight loops of one comparison a byte (one
        // loop with a decimal-point flag and a significant-digit count cost twice the time).
        var mantissa: UInt64 = 0
        var exponent = 0
        let integerStart = index
        while index < end, bytes[index] &- UInt8(ascii: "0") < 10 {
            mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
            index += 1
        }
        var digits = index - integerStart
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < end, bytes[index] &- UInt8(ascii: "0") < 10 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
                index += 1
            }
            exponent = fractionStart - index
            digits += index - fractionStart
        }
        // 19 digits always fit in UInt64 (the products above may have wrapped beyond that);
        // longer mantissas, leading zeros included, take the slow, exact path.
        guard digits > 0, digits <= 19 else { return nil }
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            let digitsStart = index
            while index < end, bytes[index] &- UInt8(ascii: "0") < 10, index - digitsStart < 4 {
                written = written * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                index += 1
            }
            guard index > digitsStart else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard index == end, mantissa <= 1 << 53, abs(exponent) <= 22 else { return nil }
        let magnitude = exponent >= 0
            ? Double(mantissa) * powersOfTen[exponent]
            : Double(mantissa) / powersOfTen[-exponent]
        return negative ? -magnitude : magnitude
    }
}
