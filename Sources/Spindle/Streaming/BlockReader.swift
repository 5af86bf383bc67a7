import HDF5Kit

/// Reads blocks of a streamed split into a `RowWindow`: x as raw bytes in its own element type
/// (one chunk-aligned hyperslab per block, no conversion under the HDF5 lock), y converted (it is
/// small). Checks the file against its identity at the start of training around every read.
final class BlockReader {
    let split: StreamedSplit
    private let file: H5File
    private let x: H5Dataset
    private let y: H5Dataset?
    private let identity: FileIdentity

    init(_ split: StreamedSplit, identity: FileIdentity) throws {
        try identity.check(split.path)
        self.split = split
        self.identity = identity
        let file = try DatasetReader.openFile(split.path)
        self.file = file
        // A cache of one chunk: every read covers whole chunks, each read once per epoch, so a
        // larger cache would only hold chunks that are never asked for again.
        x = try file.openDataset(split.paths.x, chunkCacheBytes: split.chunkBytes)
        y = split.targets == .none ? nil : try split.paths.y.map { try file.openDataset($0) }
    }

    /// Reads `blocks`, one after another, as rows 0..<n of `window`.
    func read(_ blocks: [Range<Int>], into window: RowWindow) throws {
        try identity.check(split.path)
        let xRowBytes = split.featureCount * split.elementType.byteSize
        var at = 0
        for block in blocks {
            precondition(at + block.count <= window.capacity, "BlockReader: window of \(window.capacity) rows overflows")
            do {
                try x.readRaw(rows: block, into: UnsafeMutableRawBufferPointer(
                    start: window.features + at * xRowBytes, count: block.count * xRowBytes))
                if let y {
                    switch split.targets {
                    case .labels:
                        try y.read(rows: block, into: UnsafeMutableBufferPointer(start: window.labels + at, count: block.count))
                    case .values(let width):
                        try y.read(rows: block, into: UnsafeMutableBufferPointer(
                            start: window.values + at * width, count: block.count * width))
                    case .none:
                        break
                    }
                }
            } catch let error as HDF5Error {
                try identity.check(split.path)  // a changed file explains the failure better
                throw SpindleError.invalidData(
                    location: error.path, problem: "cannot read rows \(block.lowerBound)..<\(block.upperBound): \(error.message)")
            }
            at += block.count
        }
        window.rows = at
        try identity.check(split.path)
        if let bad = window.firstNonFinite(in: 0..<at) {
            var row = bad.row
            let block = blocks.first { block in
                if row < block.count { return true }
                row -= block.count
                return false
            }!
            throw DatasetReader.nonFinite("\(split.path):\(split.paths.x)", row: block.lowerBound + row,
                                          column: bad.column, value: "not finite")
        }
    }
}
