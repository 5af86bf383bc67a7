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
    /// Whether x's chunks are copied as stored, for the workers to inflate (`ChunkInflation`).
    let inflates: Bool
    let shuffled: Bool

    init(_ split: StreamedSplit, identity: FileIdentity) throws {
        try identity.check(split.path)
        self.split = split
        self.identity = identity
        let file = try DatasetReader.openFile(split.path)
        self.file = file
        // Every read covers whole chunks, each once per epoch, so caching them gains nothing. An
        // unfiltered chunk bypasses a cache too small to hold it and is read straight into the
        // window (h5py, 100 chunks of 1 MiB: 43 ms with no cache, 55 ms with a 1 MiB one, which
        // copies each chunk twice); a filtered one gets a cache of one chunk to be filtered in.
        x = try file.openDataset(split.paths.x, chunkCacheBytes: split.filters.isEmpty ? 0 : split.chunkBytes)
        y = split.targets == .none ? nil : try split.paths.y.map { try file.openDataset($0) }
        inflates = ChunkInflation.supports(x)
        shuffled = x.filters.first == "shuffle"
    }

    /// Reads `blocks`, one after another, as rows 0..<n of `window`.
    func read(_ blocks: [Range<Int>], into window: RowWindow) throws {
        try identity.check(split.path)
        let xRowBytes = split.featureCount * split.elementType.byteSize
        var at = 0, staged = 0
        window.tasks.removeAll(keepingCapacity: true)
        window.nextTask = 0
        for block in blocks {
            precondition(at + block.count <= window.capacity, "BlockReader: window of \(window.capacity) rows overflows")
            do {
                if inflates, block.lowerBound % x.chunkShape![0] == 0 {
                    try stage(block, at: at, into: window, used: &staged)
                } else {
                    try x.readRaw(rows: block, into: UnsafeMutableRawBufferPointer(
                        start: window.features + at * xRowBytes, count: block.count * xRowBytes))
                }
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
        // Inflated chunks are checked by the worker that inflates them.
        if window.tasks.isEmpty, let bad = window.firstNonFinite(in: 0..<at) {
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

    /// Copies the stored chunks of `block` into the window's staging buffer and lists them to
    /// be inflated into rows `at...` of the window.
    private func stage(_ block: Range<Int>, at: Int, into window: RowWindow, used: inout Int) throws {
        let chunkRows = x.chunkShape![0]
        let rawBytes = chunkRows * split.featureCount * split.elementType.byteSize
        var row = block.lowerBound
        while row < block.upperBound {
            let wanted = min(block.upperBound, row + chunkRows) - row, windowRow = at + (row - block.lowerBound)
            let size = try x.storedChunkSize(row: row)
            // Room for the rest of the window at this chunk's size, so the buffer grows rarely.
            window.reserveStaging(used + max(size, rawBytes) * ((window.capacity - windowRow) / chunkRows + 1), used: used)
            let mask = try x.readStoredChunk(row: row, into: UnsafeMutableRawBufferPointer(
                start: window.staging + used, count: size))
            window.tasks.append(ChunkInflation.Task(source: used, size: size, mask: mask, row: windowRow,
                                                    rows: wanted, chunkRows: chunkRows, fileRow: row))
            used += size
            row += wanted
        }
    }
}
