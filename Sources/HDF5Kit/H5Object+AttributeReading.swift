import CHDF5

/// Reading attributes. Scalar readers accept a scalar or a one-element array; array readers
/// accept any shape and return the elements in row-major order. Strings may be fixed- or
/// variable-length (h5py writes `str` as variable-length UTF-8, numpy `S` as fixed-length).
extension H5Object {
    /// Reads a string attribute.
    ///
    /// - Throws: ``HDF5Error`` if it is missing, is not a string, or holds other than one value.
    public func stringAttribute(_ name: String) throws -> String {
        try single(name, stringArrayAttribute(name), expected: "one string")
    }

    /// Reads an integer attribute of any integer type.
    ///
    /// - Throws: ``HDF5Error`` if it is missing, is not an integer, or holds other than one value.
    public func intAttribute(_ name: String) throws -> Int {
        try single(name, intArrayAttribute(name), expected: "one integer")
    }

    /// Reads a numeric attribute (float or integer) as `Double`.
    ///
    /// - Throws: ``HDF5Error`` if it is missing, is not numeric, or holds other than one value.
    public func doubleAttribute(_ name: String) throws -> Double {
        try single(name, doubleArrayAttribute(name), expected: "one number")
    }

    /// Reads an integer attribute of any integer type and shape as `[Int]`.
    public func intArrayAttribute(_ name: String) throws -> [Int] {
        let values: [Int64] = try readNumbers(name, expected: "integer") { $0.isInteger }
        return values.map { Int($0) }
    }

    /// Reads a numeric attribute (float or integer) of any shape as `[Double]`.
    public func doubleArrayAttribute(_ name: String) throws -> [Double] {
        try readNumbers(name, expected: "number") { _ in true }
    }

    /// Reads a string attribute of any shape, fixed- or variable-length.
    public func stringArrayAttribute(_ name: String) throws -> [String] {
        let operation = "read attribute '\(name)' of"
        let path = handle.describe()
        return try withAttribute(name, operation: operation) { attribute, type, count in
            guard H5Tget_class(type) == H5T_STRING else {
                throw HDF5Error(operation: operation, path: path, message: "found \(Self.typeName(type)), expected a string")
            }
            // Strings need no conversion, so the file's type serves as the memory type too.
            if H5Tis_variable_str(type) > 0 {
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                try pointers.withUnsafeMutableBytes { buffer in
                    guard let base = buffer.baseAddress else { return }
                    try HDF5.check(operation, path) { H5Aread(attribute, type, base) }
                }
                let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
                // HDF5 allocated each string; hand them back to it.
                try reclaim(pointers, type: type, attribute: attribute, operation: operation)
                return strings
            }
            let width = H5Tget_size(type)
            let padding = H5Tget_strpad(type)
            var slots = [UInt8](repeating: 0, count: width * count)
            try slots.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                try HDF5.check(operation, path) { H5Aread(attribute, type, base) }
            }
            return (0..<count).map { index in
                var bytes = slots[index * width..<(index + 1) * width]
                if padding == H5T_STR_SPACEPAD {
                    while bytes.last == 0x20 { bytes.removeLast() }
                } else if let end = bytes.firstIndex(of: 0) {
                    bytes = bytes[..<end]
                }
                return String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    // MARK: - Helpers

    /// Reads every element of a numeric attribute, converted by HDF5 to `T`, after checking
    /// that its element type passes `accepts`.
    private func readNumbers<T: H5Scalar & Numeric>(
        _ name: String,
        expected: String,
        accepts: (H5ElementType) -> Bool
    ) throws -> [T] {
        let operation = "read attribute '\(name)' of"
        let path = handle.describe()
        return try withAttribute(name, operation: operation) { attribute, type, count in
            guard case .success(let elementType) = H5ElementType.classify(type), accepts(elementType) else {
                throw HDF5Error(operation: operation, path: path, message: "found \(Self.typeName(type)), expected \(expected)")
            }
            var values = [T](repeating: T.zero, count: count)
            try values.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                try HDF5.check(operation, path) { H5Aread(attribute, T.h5Type.nativeTypeID, base) }
            }
            return values
        }
    }

    /// Frees the strings HDF5 allocated while reading a variable-length string attribute.
    private func reclaim(_ pointers: [UnsafeMutablePointer<CChar>?], type: hid_t, attribute: hid_t, operation: String) throws {
        var pointers = pointers
        let path = handle.describe()
        let space = try HDF5.check(operation, path) { H5Aget_space(attribute) }
        defer { H5Sclose(space) }
        try pointers.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            try HDF5.check(operation, path) { chdf5_reclaim(type, space, chdf5_H5P_DEFAULT(), base) }
        }
    }

    /// The only element of `values`, or an error saying how many there were.
    private func single<T>(_ name: String, _ values: [T], expected: String) throws -> T {
        guard values.count == 1, let value = values.first else {
            throw HDF5Error(
                operation: "read attribute '\(name)' of",
                path: handle.describe(),
                message: "found \(values.count) values, expected \(expected)"
            )
        }
        return value
    }

    /// A short name for a datatype in error messages, e.g. "float64" or "variable-length string".
    static func typeName(_ type: hid_t) -> String {
        switch H5ElementType.classify(type) {
        case .success(let elementType): "a \(elementType.rawValue) attribute"
        case .failure(let unsupported): "a \(unsupported.found) attribute"
        }
    }
}
