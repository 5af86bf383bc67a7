/// 16-lane Float vectors for elementwise loops that LLVM will not vectorize by itself (the
/// optimizer's four possibly-aliasing pointers defeat its alias analysis).
///
/// `Lanes.forEach` walks a range in blocks of 16; the last block may be partial, and is loaded
/// with zeros in the missing lanes and stored back only where it has elements.
enum Lanes {
    typealias Vector = SIMD16<Float>
    static let width = 16

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ count: Int) -> Vector {
        if count == width { return UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }
        var v = Vector()
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == width {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
            return
        }
        for i in 0..<count { p[i] = v[i] }
    }

    /// Calls `body(start, count)` for consecutive blocks of at most 16 elements covering `range`.
    @inline(__always)
    static func forEach(_ range: Range<Int>, _ body: (Int, Int) -> Void) {
        var i = range.lowerBound
        while i < range.upperBound {
            let count = min(width, range.upperBound - i)
            body(i, count)
            i += width
        }
    }
}
