import CHDF5

/// Raw chunk reads: a chunk's bytes as stored, still compressed, so that decompression can run
/// on the caller's threads outside the HDF5 lock (HDF5 serialises its own filters behind it).
extension H5Dataset {
    /// The stored (filtered) size in bytes of the chunk holding row `row`.
    /// - Throws: ``HDF5Error``, e.g. for a dataset that is not chunked.
    public func storedChunkSize(row: Int) throws -> Int {
        let path = handle.describe()
        return try HDF5.locked {
            var offset = chunkOffset(row: row)
            var bytes: hsize_t = 0
            try HDF5.check("read chunk size of", path) { H5Dget_chunk_storage_size(handle.id, &offset, &bytes) }
            return Int(bytes)
        }
    }

    /// Reads the chunk holding row `row` as stored into `buffer` (at least `storedChunkSize(row:)`
    /// bytes).
    /// - Returns: the filter mask: bit i set means filter i of the pipeline was skipped for
    ///   this chunk (e.g. deflate, when compressing did not make it smaller).
    public func readStoredChunk(row: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> UInt32 {
        let path = handle.describe()
        return try HDF5.locked {
            var offset = chunkOffset(row: row)
            var mask: UInt32 = 0
            try HDF5.check("read chunk at row \(row) of", path) {
                H5Dread_chunk(handle.id, chdf5_H5P_DEFAULT(), &offset, &mask, buffer.baseAddress)
            }
            return mask
        }
    }

    /// The logical offset of the chunk holding `row`: its first row, column 0 of every other
    /// dimension.
    private func chunkOffset(row: Int) -> [hsize_t] {
        precondition(chunkShape != nil, "dataset \(path) is not chunked")
        precondition(row >= 0 && row < rowCount, "row \(row) outside 0..<\(rowCount) of dataset \(path)")
        var offset = [hsize_t](repeating: 0, count: shape.count)
        offset[0] = hsize_t(row - row % chunkShape![0])
        return offset
    }
}

extension H5Dataset {
    /// Bytes the dataset's data takes in the file (after compression), as `h5ls -v` reports.
    public func storedBytes() -> Int {
        HDF5.locked {
            // H5Dget_storage_size returns 0 both for no data and for failure; the dataset is open,
            // so 0 means nothing has been written yet.
            Int(H5Dget_storage_size(handle.id))
        }
    }
}
