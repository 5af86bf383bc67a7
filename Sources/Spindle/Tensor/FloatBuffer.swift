/// A fixed-size, 64-byte-aligned block of Floats owned by one Swift object.
///
/// The training engine's parameters, gradients, optimizer moments and activations live in these.
/// Workers write disjoint ranges of the same buffer concurrently, which Swift arrays cannot offer
/// without copy-on-write checks and exclusivity traps; the engine's phase structure (DESIGN.md)
/// is what makes those writes race-free, so the buffer is `@unchecked Sendable`.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    /// Start of the storage; valid for the lifetime of this object.
    public let base: UnsafeMutablePointer<Float>

    /// A buffer of `count` zeros.
    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer: negative count")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    /// A buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { base.deallocate() }

    public subscript(index: Int) -> Float {
        get { base[index] }
        set { base[index] = newValue }
    }

    /// A copy of the elements `range` (all by default) as an array.
    public func array(_ range: Range<Int>? = nil) -> [Float] {
        let r = range ?? 0..<count
        return Array(UnsafeBufferPointer(start: base + r.lowerBound, count: r.count))
    }

    /// Overwrites elements starting at `offset` with `values`.
    public func copy(from values: UnsafeBufferPointer<Float>, at offset: Int = 0) {
        precondition(offset + values.count <= count, "FloatBuffer: copy out of range")
        guard let source = values.baseAddress else { return }
        (base + offset).update(from: source, count: values.count)
    }
}
