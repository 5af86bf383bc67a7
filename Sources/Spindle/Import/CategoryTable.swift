/// The distinct values of one categorical column and how often each occurs, keyed by the field's
/// raw bytes.
///
/// A `[String: Int]` costs a String allocation and a Unicode-aware hash for every cell (most of
/// the time spent encoding a table's categorical columns); this open-addressing table hashes the
/// bytes in place (FNV-1a) and copies a key only the first time it is seen. Values are numbered
/// 0, 1, 2, … in order of first appearance.
struct CategoryTable {
    /// Each distinct value's bytes, in order of first appearance.
    private(set) var keys: [[UInt8]] = []
    /// How many cells held each value.
    private(set) var counts: [Int] = []
    /// Open-addressing slots: index into `keys` + 1, or 0 for empty. Power-of-two size.
    private var slots: [Int32] = Array(repeating: 0, count: 64)
    private var hashes: [UInt64] = []

    var distinct: Int { keys.count }

    /// The index of `bytes[range]`, adding it (with count 0) if new; `add` counts one occurrence.
    @inline(__always)
    mutating func index(_ bytes: [UInt8], _ range: Range<Int>, add: Bool) -> Int {
        let hash = Self.hash(bytes, range)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let k = Int(slots[slot]) - 1
            if hashes[k] == hash, Self.equal(keys[k], bytes, range) {
                if add { counts[k] += 1 }
                return k
            }
            slot = (slot + 1) & mask
        }
        keys.append(Array(bytes[range]))
        hashes.append(hash)
        counts.append(add ? 1 : 0)
        slots[slot] = Int32(keys.count)
        if keys.count * 2 > slots.count { grow() }
        return keys.count - 1
    }

    /// The index of `bytes[range]`, or nil if the table does not hold it.
    @inline(__always)
    func lookup(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        let hash = Self.hash(bytes, range)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let k = Int(slots[slot]) - 1
            if hashes[k] == hash, Self.equal(keys[k], bytes, range) { return k }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Adds `key` with `count` occurrences (building a lookup table from a vocabulary).
    mutating func insert(_ key: [UInt8], count: Int) {
        let k = index(key, 0..<key.count, add: false)
        counts[k] += count
    }

    /// Doubles the slots and re-places every key (keys keep their indices).
    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for k in keys.indices {
            var slot = Int(truncatingIfNeeded: hashes[k]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(k + 1)
        }
    }

    @inline(__always)
    private static func hash(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in range { h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01B3 }
        // FNV's low bits mix poorly for short keys; fold the high half in before masking.
        return h ^ (h >> 29)
    }

    @inline(__always)
    private static func equal(_ key: [UInt8], _ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        guard key.count == range.count else { return false }
        var i = range.lowerBound
        for byte in key {
            if byte != bytes[i] { return false }
            i += 1
        }
        return true
    }
}
