import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// `CSVReader` parses most numbers from raw bytes by a fast path; it must agree bit for bit with the
/// standard library's `Double(String)` rounded to Float, the reference it falls back to.
@Suite("CSV number parsing")
struct CSVNumberTests {
    /// Random decimal texts: 1–20 digits (past the fast path's 19), a point anywhere, exponents
    /// up to ±30 (past its 22), signs and leading zeros.
    static func randomNumber(_ random: inout SplitMix64) -> String {
        let digitCount = Int.random(in: 1 ... 20, using: &random)
        var digits = (0 ..< digitCount).map { _ in String(Int.random(in: 0 ... 9, using: &random)) }.joined()
        if Bool.random(using: &random) {
            digits.insert(".", at: digits.index(digits.startIndex, offsetBy: Int.random(in: 0 ... digitCount, using: &random)))
        }
        let sign = ["", "-", "+"][Int.random(in: 0 ... 2, using: &random)]
        let exponent = Bool.random(using: &random) ? "e\(Int.random(in: -30 ... 30, using: &random))" : ""
        return sign + digits + exponent
    }

    @Test("fast path agrees with Double(String) on 20,000 random decimals")
    func randomDecimals() throws {
        var random = SplitMix64(seed: 2024)  // deterministic: a failure reproduces run after run
        let columns = 10
        var texts: [String] = []
        while texts.count < 20_000 {
            let text = Self.randomNumber(&random)
            // "." alone or "-." is not a number; those belong to the error tests.
            if let value = Double(text), Float(value).isFinite { texts.append(text) }
        }
        let lines = stride(from: 0, to: texts.count, by: columns).map { start in
            texts[start ..< start + columns].joined(separator: ",") + ",0"
        }
        let dir = try TemporaryDirectory()
        let path = try dir.write("random.csv", text: lines.joined(separator: "\n"))
        let (table, _) = try CSVReader.read(path, options: CSVOptions(header: .absent))
        let parsed = try #require(ImportFixtures.floats(table))
        try #require(parsed.count == texts.count)
        for (text, value) in zip(texts, parsed) where value.bitPattern != Float(Double(text)!).bitPattern {
            Issue.record("'\(text)' parsed as \(value), expected \(Float(Double(text)!))")
        }
    }

    /// Text is read as a Double, then rounded to Float, as NumPy's `loadtxt(dtype=float32)` does:
    /// for 1234567890123456789012 that is one ulp from the Float nearest the decimal (1.2345679e21);
    /// the bit pattern is what NumPy 2.4 gives.
    @Test("edge cases", arguments: [
        ("0", Float(0)), ("-0", -Float(0)), ("007", 7), ("1.", 1), (".5", 0.5), ("1e22", 1e22), ("1e-22", 1e-22),
        ("9007199254740993", 0x1p53), ("1234567890123456789012", Float(bitPattern: 1_652_939_300)),
        ("4.5E+3", 4500),
        ("0x1p3", 8), ("1.17549435e-38", Float.leastNormalMagnitude), ("1e-46", 0),
    ])
    func edgeCases(text: String, expected: Float) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("e.csv", text: "\(text),1\n")
        let (table, _) = try CSVReader.read(path, options: CSVOptions(header: .absent))
        #expect(ImportFixtures.floats(table)?.first?.bitPattern == expected.bitPattern)
    }
}
