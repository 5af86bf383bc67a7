import Foundation

/// Reads a CSV file (plain or gzip) a block at a time and hands over its records in order, so that
/// memory holds one block and one record whatever the file's size.
///
/// The first pass also notes where each block's whole records lie (`Segment`s): byte ranges that
/// start and end at record boundaries, which a second pass over a plain file can then read and
/// encode on several threads at once, since finding those boundaries needs the quote state that
/// only a pass from the file's start knows.
enum CSVBlocks {
    /// Bytes read at a time: big enough that the per-block work (copying the cut-off record's
    /// bytes to the next block) is noise, small enough to stay in the memory budget.
    static let blockBytes = 8 << 20

    /// Whole records of the file: bytes `offset..<offset+length` (uncompressed), starting on `line`.
    struct Segment {
        var offset: Int
        var length: Int
        var line: Int
        /// Non-blank records in it.
        var records: Int
    }

    /// Calls `body` with each non-blank record: its fields, the bytes they index, and the line it
    /// starts on (1-based).
    /// - Returns: the file's segments, one per block read, and whether the file was gzip-compressed.
    /// - Throws: what `ImportSource` and `CSVScanner` throw (a missing file, a quote never closed),
    ///   and what `body` throws.
    @discardableResult
    static func forEachRecord(_ path: String, separator: UInt8, blockBytes: Int = blockBytes,
                              _ body: (_ fields: [CSVField], _ bytes: [UInt8], _ line: Int, _ scanner: CSVScanner) throws -> Void)
        throws -> (segments: [Segment], compressed: Bool) {
        let source = try ImportSource(path: path)
        var pending: [UInt8] = []
        var line = 1, offset = 0
        var fields: [CSVField] = []
        var segments: [Segment] = []
        while true {
            let block = try source.read(upTo: blockBytes)
            let isFinal = block.count < blockBytes
            pending.append(contentsOf: block)
            var scanner = CSVScanner(file: path, bytes: pending, separator: separator, line: line, isFinal: isFinal)
            var records = 0
            while let start = try scanner.next(into: &fields) {
                try body(fields, scanner.bytes, start, scanner)
                records += 1
            }
            let used = isFinal ? pending.count : scanner.position
            if used > 0 { segments.append(Segment(offset: offset, length: used, line: line, records: records)) }
            if isFinal { return (segments, source.isCompressed) }
            offset += used
            line = scanner.line
            pending = Array(pending[used...])
        }
    }

    /// Reads segment `segment` of the plain file `path` (open as `descriptor`) with pread(2),
    /// which is safe from several threads at once.
    static func read(_ segment: Segment, descriptor: Int32, path: String) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: segment.length) { buffer, initialized in
            var done = 0
            while done < segment.length {
                let got = pread(descriptor, buffer.baseAddress! + done, segment.length - done, off_t(segment.offset + done))
                guard got > 0 else {
                    initialized = 0
                    let cause = got == 0 ? "the file ended early" : String(cString: strerror(errno))
                    throw ImportError(file: path, reason: .unreadable, message: "read failed: \(cause)")
                }
                done += got
            }
            initialized = segment.length
        }
    }
}
