import CHDF5

/// Writing attributes. Setting an attribute that already exists replaces it, whatever its old
/// type or shape. Numbers are stored as little-endian `int64` / `float64` (what h5py writes for
/// Python `int` and `float`).
extension H5Object {
    /// Sets a string attribute.
    ///
    /// - Parameters:
    ///   - fixedLength: `false` (default) stores a variable-length UTF-8 string, which h5py
    ///     reads as `str`. `true` stores a fixed-length, null-padded byte string, which h5py reads
    ///     as `bytes` (numpy `S` dtype), as Keras' HDF5 format expects.
    /// - Throws: ``HDF5Error`` if HDF5 cannot create or write the attribute.
    public func setAttribute(_ name: String, _ value: String, fixedLength: Bool = false) throws {
        try writeStrings(name, [value], shape: nil, fixedLength: fixedLength)
    }

    /// Sets a 1-D array-of-strings attribute; see ``setAttribute(_:_:fixedLength:)-(_,String,_)``
    /// for `fixedLength`. Keras' `layer_names` needs `fixedLength: true`.
    public func setAttribute(_ name: String, _ value: [String], fixedLength: Bool = false) throws {
        try writeStrings(name, value, shape: [value.count], fixedLength: fixedLength)
    }

    /// Sets a scalar `int64` attribute.
    public func setAttribute(_ name: String, _ value: Int) throws {
        try withUnsafeBytes(of: Int64(value)) { bytes in
            try writeAttribute(name, type: H5ElementType.int64.fileTypeID, shape: nil, data: bytes.baseAddress)
        }
    }

    /// Sets a scalar `float64` attribute.
    public func setAttribute(_ name: String, _ value: Double) throws {
        try withUnsafeBytes(of: value) { bytes in
            try writeAttribute(name, type: H5ElementType.float64.fileTypeID, shape: nil, data: bytes.baseAddress)
        }
    }

    /// Sets a 1-D `int64` attribute.
    public func setAttribute(_ name: String, _ value: [Int]) throws {
        let values = value.map { Int64($0) }
        try values.withUnsafeBytes { bytes in
            try writeAttribute(name, type: H5ElementType.int64.fileTypeID, shape: [values.count], data: bytes.baseAddress)
        }
    }

    /// Sets a 1-D `float64` attribute.
    public func setAttribute(_ name: String, _ value: [Double]) throws {
        try value.withUnsafeBytes { bytes in
            try writeAttribute(name, type: H5ElementType.float64.fileTypeID, shape: [value.count], data: bytes.baseAddress)
        }
    }

    // MARK: - Strings

    /// Writes `strings` as a scalar (`shape == nil`, one string) or 1-D string attribute.
    private func writeStrings(_ name: String, _ strings: [String], shape: [Int]?, fixedLength: Bool) throws {
        let operation = "write attribute '\(name)' of"
        let path = handle.describe()
        // Each string's UTF-8 bytes; fixed-length slots and C strings are both built from these.
        let encoded = strings.map { Array($0.utf8) }
        try HDF5.locked {
            let type = try HDF5.check(operation, path) { H5Tcopy(chdf5_H5T_C_S1()) }
            defer { H5Tclose(type) }
            if fixedLength {
                // HDF5 has no zero-size string type, so an empty string still takes one byte.
                let width = max(1, encoded.map(\.count).max() ?? 0)
                // h5py labels numpy `S` data ASCII; say UTF-8 only when the bytes need it.
                let isASCII = encoded.allSatisfy { $0.allSatisfy { $0 < 0x80 } }
                try HDF5.check(operation, path) { H5Tset_size(type, width) }
                try HDF5.check(operation, path) { H5Tset_strpad(type, H5T_STR_NULLPAD) }
                try HDF5.check(operation, path) { H5Tset_cset(type, isASCII ? H5T_CSET_ASCII : H5T_CSET_UTF8) }
                // Row-major (count, width) bytes, each string null-padded to the width.
                var slots = [UInt8](repeating: 0, count: width * encoded.count)
                for (index, bytes) in encoded.enumerated() {
                    slots.replaceSubrange(index * width..<index * width + bytes.count, with: bytes)
                }
                try slots.withUnsafeBytes { buffer in
                    try writeAttribute(name, type: type, shape: shape, data: buffer.baseAddress)
                }
            } else {
                try HDF5.check(operation, path) { H5Tset_size(type, chdf5_H5T_VARIABLE()) }
                try HDF5.check(operation, path) { H5Tset_cset(type, H5T_CSET_UTF8) }
                // All strings nul-terminated back to back; the memory layout of a
                // variable-length string is an array of `char *`, one per string.
                var storage: [CChar] = []
                var offsets: [Int] = []
                for bytes in encoded {
                    offsets.append(storage.count)
                    storage.append(contentsOf: bytes.map { CChar(bitPattern: $0) })
                    storage.append(0)
                }
                try storage.withUnsafeBufferPointer { characters in
                    // Storage is empty only when there are no strings, and then nothing is written.
                    let pointers = characters.baseAddress.map { base in offsets.map { base + $0 } } ?? []
                    try pointers.withUnsafeBytes { buffer in
                        try writeAttribute(name, type: type, shape: shape, data: buffer.baseAddress)
                    }
                }
            }
        }
    }
}
