import Foundation
import HDF5Kit

/// Rows encoded and waiting to be written: x (B, F), labels (B), values (B, T).
struct EncodedBlock {
    var x: [Float]
    var labels: [Int64]
    var values: [Float]
    let features: Int
    let width: Int
    var held = 0

    init(rows: Int, features: Int, width: Int) {
        x = [Float](repeating: 0, count: rows * features)
        labels = [Int64](repeating: 0, count: rows)
        values = [Float](repeating: 0, count: rows * width)
        self.features = features
        self.width = width
    }

    var capacity: Int { labels.count }

    /// Encodes one record into the next row.
    mutating func add(_ fields: [CSVField], _ bytes: [UInt8], line: Int, encoder: inout TableEncoder) throws {
        precondition(held < capacity, "EncodedBlock: more rows than its capacity \(capacity)")
        let r = held, f = features, t = width
        try x.withUnsafeMutableBufferPointer { xb in
            try labels.withUnsafeMutableBufferPointer { lb in
                try values.withUnsafeMutableBufferPointer { vb in
                    try encoder.encode(fields, bytes, line: line, hasTargets: true, x: xb.baseAddress! + r * f,
                                       label: lb.baseAddress! + r, values: vb.baseAddress! + r * t)
                }
            }
        }
        held += 1
    }

    /// Writes the rows held to file rows `first..<first+held`.
    func write(at first: Int, to datasets: CSVTableImporter.SplitDatasets) throws {
        guard held > 0 else { return }
        let range = first..<(first + held)
        try x.withUnsafeBufferPointer { try datasets.x.write(rows: range, from: $0) }
        if datasets.regressionWidth != nil {
            try values.withUnsafeBufferPointer { try datasets.y.write(rows: range, from: $0) }
        } else {
            try labels.withUnsafeBufferPointer { try datasets.y.write(rows: range, from: $0) }
        }
    }
}

extension CSVTableImporter {
    /// What the workers of a parallel pass 2 hand back, one slot per segment (each slot written
    /// by the one worker that owns the segment, read after they all finish).
    private final class SegmentResults: @unchecked Sendable {
        var errors: [Error?]
        var encoders: [TableEncoder?]
        init(_ count: Int) {
            errors = Array(repeating: nil, count: count)
            encoders = Array(repeating: nil, count: count)
        }
    }

    /// Pass 2 over a plain file on `workers` threads: worker w encodes segments w, w + W, … (each
    /// one block of whole records, found by pass 1) and writes its rows where pass 1's counts put
    /// them. HDF5 writes serialise on HDF5Kit's lock; the encoding, most of the work, overlaps.
    /// The file's bytes, and so the output, do not depend on W. The first error in file order wins.
    static func encodeSegments(_ source: SourceFile, hasHeader: Bool, encoder: TableEncoder, separator: UInt8,
                               workers: Int, into datasets: SplitDatasets) throws -> TableEncoder {
        let segments = source.segments
        // The header is the first record of the first segment holding one.
        let headerSegment = hasHeader ? segments.firstIndex { $0.records > 0 } : nil
        var firstRow: [Int] = [], dataRows: [Int] = [], total = 0
        for (k, segment) in segments.enumerated() {
            let rows = segment.records - (k == headerSegment ? 1 : 0)
            firstRow.append(total)
            dataRows.append(rows)
            total += rows
        }
        guard total == source.rows else { throw changed(source.path) }
        let starts = firstRow, counts = dataRows
        let descriptor = open(source.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ImportError(file: source.path, reason: .cannotOpen, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }

        let results = SegmentResults(segments.count)
        let width = datasets.regressionWidth ?? 1, f = encoder.featureCount
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for k in stride(from: w, to: segments.count, by: workers) {
                do {
                    let segment = segments[k]
                    let bytes = try CSVBlocks.read(segment, descriptor: descriptor, path: source.path)
                    var scanner = CSVScanner(file: source.path, bytes: bytes, separator: separator, line: segment.line)
                    var block = EncodedBlock(rows: counts[k], features: f, width: width)
                    var local = encoder
                    var fields: [CSVField] = [], skip = k == headerSegment
                    while let line = try scanner.next(into: &fields) {
                        if skip {
                            skip = false
                            continue
                        }
                        guard block.held < block.capacity else { throw changed(source.path) }
                        try block.add(fields, bytes, line: line, encoder: &local)
                    }
                    guard block.held == block.capacity else { throw changed(source.path) }
                    try block.write(at: starts[k], to: datasets)
                    results.encoders[k] = local
                } catch {
                    results.errors[k] = error
                    return  // this worker's later segments are moot
                }
            }
        }
        if let error = results.errors.compactMap({ $0 }).first { throw error }
        var merged = encoder
        for local in results.encoders { if let local { merged.absorbUnseen(local) } }
        return merged
    }
}
