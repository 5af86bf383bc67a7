/// Reading one cell of a CSV record for the table importer: whether it is missing, its number,
/// its text, and its bytes as a category key.
struct TableCells {
    /// The markers of a missing cell, as bytes; the empty field is always one.
    let markers: [[UInt8]]
    /// The longest marker: a longer field is never missing, so most cells skip the comparisons.
    private let longest: Int

    /// What `spindle import csv` treats as missing unless told more with `--na`: pandas' usual
    /// spellings of "not available".
    static let defaultMissingValues = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "?"]

    init(missingValues: [String]) {
        markers = missingValues.map { Array($0.utf8) }
        longest = markers.map(\.count).max() ?? 0
    }

    @inline(__always)
    func isMissing(_ bytes: [UInt8], _ field: CSVField) -> Bool {
        let length = field.end - field.start
        guard length <= longest else { return false }
        if length == 0 { return true }
        for marker in markers where marker.count == length {
            var same = true
            for k in 0..<length where bytes[field.start + k] != marker[k] {
                same = false
                break
            }
            if same { return true }
        }
        return false
    }

    /// The field as a number, or nil if it is text. Parsed as a Double (exactly, see
    /// `CSVNumberParser`), as NumPy does before rounding to float32.
    @inline(__always)
    static func number(_ bytes: [UInt8], _ field: CSVField) -> Double? {
        if !field.escaped, let fast = CSVNumberParser.fastDouble(bytes, field.start, field.end) { return fast }
        return Double(text(bytes, field))
    }

    /// `number` with the record's bytes as a pointer (the fields lie within them).
    @inline(__always)
    static func number(_ base: UnsafePointer<UInt8>, _ bytes: [UInt8], _ field: CSVField) -> Double? {
        if !field.escaped, let fast = CSVNumberParser.fastDouble(base, field.start, field.end) { return fast }
        // Double(String) also takes hex floats and "nan"/"inf", which the caller rejects as
        // not finite; a field with letters or blanks inside is text.
        return Double(text(bytes, field))
    }

    /// The field's text, with `""` turned back into `"`.
    static func text(_ bytes: [UInt8], _ field: CSVField) -> String {
        let raw = String(decoding: bytes[field.start..<field.end], as: UTF8.self)
        return field.escaped ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw
    }

    /// The bytes that name the field's category: the field in place, or its unescaped copy.
    @inline(__always)
    static func key(_ bytes: [UInt8], _ field: CSVField) -> ([UInt8], Range<Int>) {
        guard field.escaped else { return (bytes, field.start..<field.end) }
        let unescaped = Array(text(bytes, field).utf8)
        return (unescaped, 0..<unescaped.count)
    }
}
