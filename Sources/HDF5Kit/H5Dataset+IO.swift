import CHDF5

/// Row-range reads and writes.
///
/// A row range `lo..<hi` selects rows lo through hi-1 along dimension 0 and every element of
/// the other dimensions: a hyperslab of the file's dataspace, transferred to or from a
/// contiguous row-major buffer of `(hi - lo) × rowElementCount` elements.
/// A range outside `0...rowCount` or a buffer too small is a programmer error and traps;
/// failures inside HDF5 (I/O, a corrupted chunk, a read-only file) throw ``HDF5Error``.
extension H5Dataset {
    /// Reads rows `rows` into `buffer`, converting each element to `T` with HDF5's conversions
    /// (e.g. `uint8` → `Float` gives 0…255).
    ///
    /// - Parameter buffer: At least `rows.count × rowElementCount` elements; row-major.
    /// - Throws: ``HDF5Error`` if HDF5 cannot read the rows, e.g. a checksum mismatch.
    public func read<T: H5Scalar>(rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>) throws {
        try transfer("read", rows: rows, capacity: buffer.count) { memorySpace, fileSpace in
            H5Dread(handle.id, T.h5Type.nativeTypeID, memorySpace, fileSpace, chdf5_H5P_DEFAULT(), buffer.baseAddress)
        }
    }

    /// Reads rows `rows`, converted to `T`, as a row-major array of
    /// `rows.count × rowElementCount` elements.
    public func read<T: H5Scalar>(rows: Range<Int>) throws -> [T] {
        let count = rows.count * rowElementCount
        return try [T](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            try read(rows: rows, into: buffer)
            initializedCount = count
        }
    }

    /// Reads the whole dataset, converted to `T`, row-major.
    public func readAll<T: H5Scalar>() throws -> [T] {
        try read(rows: 0..<rowCount)
    }

    /// Reads rows `rows` in the file's own element type (``elementType``), without converting
    /// values, so the caller can convert on its own threads outside the HDF5 lock.
    ///
    /// The bytes are in this machine's byte order (HDF5 swaps them if the file's differs).
    /// - Parameter buffer: At least `rows.count × rowElementCount × elementType.byteSize` bytes.
    /// - Throws: ``HDF5Error`` if HDF5 cannot read the rows.
    public func readRaw(rows: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws {
        let size = elementType.byteSize
        try transfer("read", rows: rows, capacity: buffer.count / size) { memorySpace, fileSpace in
            H5Dread(handle.id, elementType.nativeTypeID, memorySpace, fileSpace, chdf5_H5P_DEFAULT(), buffer.baseAddress)
        }
    }

    /// Writes rows `rows` from `buffer`, converting from `T` to the file's element type.
    ///
    /// - Parameter buffer: At least `rows.count × rowElementCount` elements, row-major; only
    ///   that many are written.
    /// - Throws: ``HDF5Error`` if HDF5 cannot write, e.g. the file was opened read-only.
    public func write<T: H5Scalar>(rows: Range<Int>, from buffer: UnsafeBufferPointer<T>) throws {
        try transfer("write", rows: rows, capacity: buffer.count) { memorySpace, fileSpace in
            H5Dwrite(handle.id, T.h5Type.nativeTypeID, memorySpace, fileSpace, chdf5_H5P_DEFAULT(), buffer.baseAddress)
        }
    }

    /// Writes the whole dataset from `values` (exactly ``elementCount`` elements, row-major).
    public func write<T: H5Scalar>(_ values: [T]) throws {
        precondition(values.count == elementCount,
                     "\(values.count) values for dataset \(path) of shape \(shape) (\(elementCount) elements)")
        try values.withUnsafeBufferPointer { buffer in
            try write(rows: 0..<rowCount, from: buffer)
        }
    }

    // MARK: - Selection

    /// Checks `rows` and the buffer size, builds the memory and file dataspaces for the row
    /// range, and makes `call` with them, all under the HDF5 lock.
    ///
    /// - Parameters:
    ///   - verb: `"read"` or `"write"`, for messages.
    ///   - capacity: The buffer's size in elements.
    private func transfer(
        _ verb: String, rows: Range<Int>, capacity: Int,
        _ call: (_ memorySpace: hid_t, _ fileSpace: hid_t) -> herr_t
    ) throws {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= rowCount,
                     "rows \(rows) outside 0..<\(rowCount) of dataset \(path)")
        let elements = rows.count * rowElementCount
        precondition(capacity >= elements,
                     "buffer of \(capacity) elements for \(elements) (rows \(rows) of dataset \(path), shape \(shape))")
        guard elements > 0 else { return }

        let operation = "\(verb) rows \(rows.lowerBound)..<\(rows.upperBound) of dataset"
        let path = handle.describe()
        try HDF5.locked {
            // A scalar dataset has no dimension to slice: transfer its one element whole.
            guard !shape.isEmpty else {
                try HDF5.check(operation, path) { call(chdf5_H5S_ALL(), chdf5_H5S_ALL()) }
                return
            }
            let fileSpace = try HDF5.check(operation, path) { H5Dget_space(handle.id) }
            defer { H5Sclose(fileSpace) }
            var start = [hsize_t](repeating: 0, count: shape.count)
            start[0] = hsize_t(rows.lowerBound)
            var count = shape.map { hsize_t($0) }
            count[0] = hsize_t(rows.count)
            try HDF5.check(operation, path) {
                H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &count, nil)
            }
            // The memory side is a dense (rows.count, shape[1], …) array.
            let memorySpace = try HDF5.check(operation, path) { H5Screate_simple(Int32(count.count), &count, nil) }
            defer { H5Sclose(memorySpace) }
            try HDF5.check(operation, path) { call(memorySpace, fileSpace) }
        }
    }
}
