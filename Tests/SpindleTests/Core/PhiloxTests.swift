import Spindle
import Testing

/// Philox4x32-10 against the known-answer vectors published with Random123 (kat_vectors,
/// "philox4x32 10"). The key is two words; Spindle's UInt64 key holds the first in its low half.
struct PhiloxTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let counter: (UInt32, UInt32, UInt32, UInt32)
        let key: (UInt32, UInt32)
        let expected: (UInt32, UInt32, UInt32, UInt32)
        var testDescription: String { "counter \(counter), key \(key)" }
    }

    static let vectors: [Vector] = [
        Vector(counter: (0, 0, 0, 0), key: (0, 0),
               expected: (0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8)),
        Vector(counter: (.max, .max, .max, .max), key: (.max, .max),
               expected: (0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD)),
        Vector(counter: (0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344),
               key: (0xA409_3822, 0x299F_31D0),
               expected: (0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1)),
    ]

    /// Exact: the generator is integer arithmetic, so any difference is a bug.
    @Test(arguments: vectors)
    func knownAnswer(_ vector: Vector) {
        let key = UInt64(vector.key.1) << 32 | UInt64(vector.key.0)
        let block = Philox.block(vector.counter, key: key)
        let words = (0..<4).map { Philox.word(block, $0) }
        let expected = [vector.expected.0, vector.expected.1, vector.expected.2, vector.expected.3]
        #expect(words == expected, "got \(words.map { String($0, radix: 16) })")
    }

    /// unitFloat maps the top 24 bits exactly onto [0, 1): 0 → 0, all ones → 1 − 2⁻²⁴ (< 1).
    @Test func unitFloatRange() {
        #expect(Philox.unitFloat(0) == 0)
        #expect(Philox.unitFloat(0xFF) == 0, "the low 8 bits are dropped")
        #expect(Philox.unitFloat(.max) == 1 - 0x1p-24)
        #expect(Philox.unitFloat(0x8000_0000) == 0.5)
    }
}
