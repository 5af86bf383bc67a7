/// Reads NumPy `.npy` files (format versions 1, 2 and 3), as written by `numpy.save`.
///
/// Layout: the magic `\x93NUMPY`, a version byte pair, the header length (uint16 for v1, uint32 for
/// v2/v3, little-endian), the header (a Python dict literal, see `NPYHeader`), then the raw elements.
/// Element types: bool, int8/16/32/64, uint8/16/32/64, float32/64, in either byte order.
/// Fortran-ordered arrays are transposed into C order. gzip-compressed files are read transparently.
public enum NPYReader {
    /// Reads a whole `.npy` file.
    ///
    /// - Returns: the dtype, shape and values in C order (see `NPYArray.Values` for the widening).
    /// - Throws: `ImportError` for a missing, empty or truncated file, a bad magic (a `.npz` archive is
    ///   recognized and named), an unknown version, an unreadable header, an unsupported dtype, a
    ///   uint64 value beyond `Int64.max`, or a finite float64 value beyond the float32 range.
    public static func read(_ path: String) throws -> NPYArray {
        let source = try ImportSource(path: path)
        let prefix = try source.read(exactly: 8, of: "the 8-byte NPY magic and version")
        guard prefix.starts(with: [0x93] + Array("NUMPY".utf8)) else {
            let zip = prefix.starts(with: Array("PK\u{3}\u{4}".utf8))
            let hint = zip ? "; this is a .npz (zip) archive: save each array with numpy.save instead" : ""
            throw ImportError(file: path, reason: .badFormat,
                              message: "not a .npy file (expected the magic \\x93NUMPY\(hint))")
        }
        let major = prefix[6]
        guard (1...3).contains(major) else {
            throw ImportError(file: path, reason: .unsupported,
                              message: "NPY format version \(major).\(prefix[7]) (expected 1.0, 2.0 or 3.0)")
        }
        let lengthBytes = try source.read(exactly: major == 1 ? 2 : 4, of: "the NPY header length")
        let headerLength = lengthBytes.reversed().reduce(0) { $0 << 8 | Int($1) }
        // NumPy itself refuses headers over 10,000 bytes; a far larger length means a damaged file.
        guard headerLength <= 1 << 20 else {
            throw ImportError(file: path, reason: .badFormat,
                              message: "NPY header length \(headerLength) is implausible (expected under 1 MiB)")
        }
        let headerBytes = try source.read(exactly: headerLength, of: "a \(headerLength)-byte NPY header")
        let headerText = String(decoding: headerBytes, as: UTF8.self)
        guard let header = NPYHeader(headerText) else {
            throw ImportError(file: path, reason: .badFormat,
                              message: "unreadable NPY header \(headerText.oneLine) "
                                  + "(expected a dict with 'descr', 'fortran_order' and 'shape')")
        }
        guard let dtype = NPYDType(descr: header.descr) else {
            let found = header.descr.isEmpty ? "a structured dtype" : "dtype '\(header.descr)'"
            throw ImportError(file: path, reason: .unsupported,
                              message: "\(found) is not supported (expected bool, int8…int64, uint8…uint64, "
                                  + "float32 or float64)")
        }

        var count = 1
        for size in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            let (_, byteOverflow) = product.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, !byteOverflow else {
                throw ImportError(file: path, reason: .badFormat,
                                  message: "shape \(NPYArray.describe(shape: header.shape)) is impossibly large")
            }
            count = product
        }
        let shape = NPYArray.describe(shape: header.shape)
        let bytes = try source.read(exactly: count * dtype.size, of: "shape \(shape) \(dtype)")
        var values = try decode(bytes, dtype: dtype, path: path)
        if header.fortranOrder, header.shape.count > 1 {
            values = values.inCOrder(fortranShape: header.shape)
        }
        return NPYArray(dtype: dtype, shape: header.shape, values: values)
    }

    /// Converts raw elements to `Values`, swapping bytes when the file's order is not the host's.
    private static func decode(_ bytes: [UInt8], dtype: NPYDType, path: String) throws -> NPYArray.Values {
        let big = dtype.isBigEndian
        switch (dtype.kind, dtype.size) {
        case (.bool, _):
            return .uint8(bytes.map { $0 == 0 ? 0 : 1 })
        case (.unsigned, 1):
            return .uint8(bytes)
        case (.signed, 1):
            return .int64(bytes.map { Int64(Int8(bitPattern: $0)) })
        case (.signed, 2):
            return .int64(load(bytes, as: Int16.self, bigEndian: big).map(Int64.init))
        case (.signed, 4):
            return .int64(load(bytes, as: Int32.self, bigEndian: big).map(Int64.init))
        case (.signed, _):
            return .int64(load(bytes, as: Int64.self, bigEndian: big))
        case (.unsigned, 2):
            return .int64(load(bytes, as: UInt16.self, bigEndian: big).map(Int64.init))
        case (.unsigned, 4):
            return .int64(load(bytes, as: UInt32.self, bigEndian: big).map(Int64.init))
        case (.unsigned, _):
            let wide = load(bytes, as: UInt64.self, bigEndian: big)
            if let index = wide.firstIndex(where: { $0 > UInt64(Int64.max) }) {
                throw ImportError(file: path, reason: .invalidValue,
                                  message: "element \(index) is \(wide[index]), beyond the int64 range Spindle reads")
            }
            return .int64(wide.map { Int64($0) })
        case (.float, 4):
            var values = load(bytes, as: Float.self)
            if big != hostIsBigEndian {
                for index in values.indices { values[index] = Float(bitPattern: values[index].bitPattern.byteSwapped) }
            }
            return .float32(values)
        case (.float, _):
            let doubles = load(bytes, as: UInt64.self, bigEndian: big)
            var floats = [Float](repeating: 0, count: doubles.count)
            var overflow: Int?
            for index in doubles.indices {
                let value = Double(bitPattern: doubles[index])
                floats[index] = Float(value)
                // A finite float64 that overflows float32 would otherwise turn into ±Inf silently.
                if overflow == nil, value.isFinite, !floats[index].isFinite { overflow = index }
            }
            if let index = overflow {
                throw ImportError(file: path, reason: .invalidValue,
                                  message: "element \(index) is \(Double(bitPattern: doubles[index])), "
                                      + "beyond the float32 range")
            }
            return .float32(floats)
        }
    }

    private static let hostIsBigEndian = 1.bigEndian == 1

    /// Reads `bytes` as consecutive `T`s in the given byte order: one copy, then an in-place swap
    /// only when the file's order differs from the host's.
    private static func load<T: FixedWidthInteger & BitwiseCopyable>(_ bytes: [UInt8], as type: T.Type, bigEndian: Bool) -> [T] {
        var values = load(bytes, as: T.self)
        if bigEndian != hostIsBigEndian {
            for index in values.indices { values[index] = values[index].byteSwapped }
        }
        return values
    }

    /// `bytes` copied as they are into `T`s (host byte order).
    private static func load<T: BitwiseCopyable>(_ bytes: [UInt8], as type: T.Type) -> [T] {
        let count = bytes.count / MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw.prefix(buffer.count * MemoryLayout<T>.stride)))
            }
            initialized = count
        }
    }
}

extension NPYArray.Values {
    /// The same elements in C order, given the array was stored in Fortran (column-major) order.
    func inCOrder(fortranShape shape: [Int]) -> Self {
        switch self {
        case .uint8(let values): .uint8(Self.transpose(values, shape: shape))
        case .int64(let values): .int64(Self.transpose(values, shape: shape))
        case .float32(let values): .float32(Self.transpose(values, shape: shape))
        }
    }

    /// Walks the C-order index (i0, …, ik) like an odometer, last index fastest, keeping the
    /// Fortran offset Σ ij·sj (s0 = 1, sj = sj-1 · dj-1) in step instead of recomputing it.
    private static func transpose<T>(_ values: [T], shape: [Int]) -> [T] {
        guard !values.isEmpty else { return values }
        let rank = shape.count
        var strides = [Int](repeating: 1, count: rank)
        for axis in 1 ..< rank { strides[axis] = strides[axis - 1] * shape[axis - 1] }
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        var result: [T] = []
        result.reserveCapacity(values.count)
        for _ in 0 ..< values.count {
            result.append(values[offset])
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}

extension String {
    /// Trimmed of the spaces and newline NPY headers are padded with, and with any other control
    /// characters shown as `?`, so a garbled header still fits in a one-line error.
    fileprivate var oneLine: String {
        let trimmed = drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        return String(trimmed.map { $0.isASCII && ($0.asciiValue! < 0x20 || $0.asciiValue! == 0x7F) ? "?" : $0 })
    }
}
