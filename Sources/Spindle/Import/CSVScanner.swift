import Foundation

/// One field of a CSV record: the byte range of its content, surrounding blanks and quotes removed.
struct CSVField {
    var start: Int
    var end: Int
    /// Whether the field was enclosed in double quotes.
    var quoted: Bool
    /// Whether the content holds `""`, which stands for one `"`.
    var escaped: Bool

    var isEmpty: Bool { start == end }
}

/// Splits CSV bytes into records of fields (RFC 4180 quoting, LF / CRLF / CR line ends).
///
/// Works on the raw bytes rather than `String` lines: a 130 MB image CSV then costs one pass and no
/// per-line allocation. Blank lines are skipped; line numbers count every physical line, 1-based,
/// so errors point where a text editor would.
///
/// A scanner may see a file one block at a time (`isFinal` false until the last block): a record
/// that runs past the end of a block is then not returned, and `position` and `line` stay at its
/// start, for the next block to begin there.
struct CSVScanner {
    let file: String
    let bytes: [UInt8]
    let separator: UInt8
    /// Whether `bytes` run to the end of the file.
    let isFinal: Bool
    private(set) var position: Int
    private(set) var line: Int

    private static let quote = UInt8(ascii: "\"")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// - Parameters:
    ///   - line: the line `bytes` start on (1 for a file's first block).
    ///   - isFinal: whether `bytes` end where the file does.
    init(file: String, bytes: [UInt8], separator: UInt8, line: Int = 1, isFinal: Bool = true) {
        self.file = file
        self.bytes = bytes
        self.separator = separator
        self.line = line
        self.isFinal = isFinal
        // Spreadsheet exports often start with a UTF-8 byte-order mark; it is not part of any field.
        position = line == 1 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// A record cut off by the end of a block that is not the file's last.
    private struct CutOff: Error {}

    /// Spaces and tabs around a field are padding, unless the tab is the separator.
    private func isBlank(_ byte: UInt8) -> Bool {
        (byte == 0x20 || byte == 0x09) && byte != separator
    }

    /// Reads the next non-blank record into `fields`; returns the line it starts on, or `nil` at the end.
    mutating func next(into fields: inout [CSVField]) throws -> Int? {
        while position < bytes.count {
            fields.removeAll(keepingCapacity: true)
            let recordLine = line, recordStart = position
            do {
                try record(into: &fields, line: recordLine)
            } catch is CutOff {
                position = recordStart
                line = recordLine
                return nil
            }
            let blankLine = fields.count == 1 && fields[0].isEmpty && !fields[0].quoted
            if !blankLine { return recordLine }
        }
        return nil
    }

    /// Scans one record (possibly a blank line) into `fields`.
    /// - Throws: `CutOff` when a block that is not the last ends inside it.
    private mutating func record(into fields: inout [CSVField], line recordLine: Int) throws {
        let count = bytes.count
        var recordEnded = false
        while !recordEnded {
            while position < count, isBlank(bytes[position]) { position += 1 }
            if position < count, bytes[position] == Self.quote {
                fields.append(try quotedField(recordLine: recordLine, column: fields.count + 1))
            } else {
                let start = position
                while position < count, bytes[position] != separator, bytes[position] != Self.newline,
                      bytes[position] != Self.carriageReturn
                {
                    position += 1
                }
                var end = position
                while end > start, isBlank(bytes[end - 1]) { end -= 1 }
                fields.append(CSVField(start: start, end: end, quoted: false, escaped: false))
            }
            // Only the file's end may end a record without a line end.
            if !isFinal, position >= count { throw CutOff() }
            recordEnded = try endField(column: fields.count)
        }
    }

    /// Scans `"…"` starting at the opening quote; the content may hold separators, line ends and `""`.
    private mutating func quotedField(recordLine: Int, column: Int) throws -> CSVField {
        let start = position + 1
        var index = start
        var escaped = false
        while true {
            guard index < bytes.count else {
                if !isFinal { throw CutOff() }
                throw ImportError(file: file, location: "line \(recordLine), column \(column)", reason: .badFormat,
                                  message: "quoted field never ends (expected a closing '\"')")
            }
            if bytes[index] == Self.quote {
                guard index + 1 < bytes.count, bytes[index + 1] == Self.quote else { break }
                escaped = true
                index += 2
                continue
            }
            if bytes[index] == Self.newline { line += 1 }
            index += 1
        }
        position = index + 1
        while position < bytes.count, isBlank(bytes[position]) { position += 1 }
        return CSVField(start: start, end: index, quoted: true, escaped: escaped)
    }

    /// Consumes what follows a field; returns whether it ended the record.
    private mutating func endField(column: Int) throws -> Bool {
        guard position < bytes.count else { return true }
        switch bytes[position] {
        case separator:
            position += 1
            return false
        case Self.newline:
            position += 1
        case Self.carriageReturn:
            position += 1
            // A CRLF split between blocks: its LF must not count as a blank line of its own.
            if !isFinal, position == bytes.count { throw CutOff() }
            if position < bytes.count, bytes[position] == Self.newline { position += 1 }
        default:
            throw ImportError(file: file, location: "line \(line), column \(column)", reason: .badFormat,
                              message: "text after a closing quote (expected a separator or the end of the line)")
        }
        line += 1
        return true
    }

    /// The field's text, with `""` turned back into `"`.
    func text(_ field: CSVField) -> String {
        let raw = String(decoding: bytes[field.start ..< field.end], as: UTF8.self)
        return field.escaped ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw
    }
}
