import HDF5Kit

/// Writes imported tables as a Spindle dataset file (/train/x, /train/y, /test/x, …), chunked by
/// rows so that reading row ranges touches only the chunks it needs.
public enum DatasetWriter {
    /// Rows per chunk: up to 1024, keeping a chunk ≤ 1 MiB so HDF5's default chunk cache holds it.
    public static func chunkRows(rowBytes: Int, rows: Int) -> Int {
        max(1, min(1024, rows, (1 << 20) / max(rowBytes, 1)))
    }

    /// Writes `splits` (name → table) to `path` atomically.
    /// - Parameters:
    ///   - gzipLevel: deflate level 1–9, or 0 for uncompressed datasets.
    ///   - classNames: stored as the `class_names` attribute of the root, when known.
    public static func write(_ splits: [(name: String, table: ImportedTable)], to path: String,
                             gzipLevel: Int = 1, classNames: [String]? = nil) throws {
        try AtomicFile.writeHDF5(to: path) { file in
            if let classNames { try file.setAttribute("class_names", classNames) }
            for (name, table) in splits {
                let group = try file.createGroup(name)
                let gzip = gzipLevel > 0 ? gzipLevel : nil
                let n = table.rows, f = table.featureCount
                switch table.features {
                case .uint8(let x):
                    let chunk = chunkRows(rowBytes: f, rows: n)
                    try group.createDataset("x", type: .uint8, shape: [n, f], chunkShape: [chunk, f],
                                            gzipLevel: gzip).write(x)
                case .float32(let x):
                    let chunk = chunkRows(rowBytes: 4 * f, rows: n)
                    try group.createDataset("x", type: .float32, shape: [n, f], chunkShape: [chunk, f],
                                            gzipLevel: gzip).write(x)
                }
                switch table.targets {
                case .labels(let y):
                    try group.createDataset("y", type: .int64, shape: [n], chunkShape: [min(n, 1 << 16)],
                                            gzipLevel: gzip).write(y)
                case .values(let y, let width):
                    let shape = width == 1 ? [n] : [n, width]
                    let chunk = [chunkRows(rowBytes: 4 * width, rows: n)] + shape.dropFirst()
                    try group.createDataset("y", type: .float32, shape: shape, chunkShape: chunk,
                                            gzipLevel: gzip).write(y)
                }
            }
        }
    }
}
