import HDF5Kit
import SpindleTestSupport
import Testing

/// Every element type survives a write in two row ranges, a reopen, and reads of a middle row
/// range, the whole dataset and the raw bytes.
@Suite struct ElementTypeTests {
    /// Shape (R, C) of the test dataset: 5 rows of 3 elements.
    static let rows = 5
    static let columns = 3

    @Test(arguments: H5ElementType.allCases)
    func roundTripsRowRanges(type: H5ElementType) throws {
        switch type {
        case .uint8: try roundTrip(integers(UInt8.self), type: type)
        case .int8: try roundTrip(integers(Int8.self), type: type)
        case .uint16: try roundTrip(integers(UInt16.self), type: type)
        case .int16: try roundTrip(integers(Int16.self), type: type)
        case .uint32: try roundTrip(integers(UInt32.self), type: type)
        case .int32: try roundTrip(integers(Int32.self), type: type)
        case .uint64: try roundTrip(integers(UInt64.self), type: type)
        case .int64: try roundTrip(integers(Int64.self), type: type)
        case .float16: try halfRoundTrip()
        case .float32: try roundTrip(floats(Float.self), type: type)
        case .float64: try roundTrip(floats(Double.self), type: type)
        }
    }

    @Test(arguments: [
        (H5ElementType.uint8, 1, true, false), (.int8, 1, true, false), (.uint16, 2, true, false),
        (.int16, 2, true, false), (.uint32, 4, true, false), (.int32, 4, true, false),
        (.uint64, 8, true, false), (.int64, 8, true, false), (.float16, 2, false, true), (.float32, 4, false, true), (.float64, 8, false, true),
    ])
    func describesItself(type: H5ElementType, byteSize: Int, isInteger: Bool, isFloat: Bool) {
        #expect(type.byteSize == byteSize)
        #expect(type.isInteger == isInteger)
        #expect(type.isFloat == isFloat)
    }

    @Test func swiftIntIsInt64() {
        #expect(Int.h5Type == .int64)
    }

    @Test func readsConvertToTheRequestedType() throws {
        let directory = try TemporaryDirectory()
        let file = try H5File.create(directory.path("convert.h5"))
        let pixels = try file.createDataset("x", type: .uint8, shape: [2, 2])
        try pixels.write([0, 1, 128, 255] as [UInt8])
        let asFloat: [Float] = try pixels.readAll()
        #expect(asFloat == [0, 1, 128, 255])
        let asInt: [Int] = try pixels.read(rows: 1..<2)
        #expect(asInt == [128, 255])
    }

    // MARK: - Helpers

    /// R × C values covering each integer type's extremes.
    private func integers<T: FixedWidthInteger & H5Scalar>(_: T.Type) -> [T] {
        let edges: [T] = [.min, .max, 0, 1, .max - 1, .min + 1]
        return (0..<Self.rows * Self.columns).map { index in
            index < edges.count ? edges[index] : T(truncatingIfNeeded: index * 37)
        }
    }

    /// R × C values covering each float type's extremes and fractions.
    private func floats<T: BinaryFloatingPoint & H5Scalar>(_: T.Type) -> [T] {
        let edges: [T] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .pi, -0.5, .infinity]
        return (0..<Self.rows * Self.columns).map { index in
            index < edges.count ? edges[index] : T(index) / 3
        }
    }

    /// float16 has no Swift element type: Floats that are exact halves go in and come back
    /// through HDF5's conversions, and the raw bytes are their IEEE binary16 bits.
    private func halfRoundTrip() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("float16.h5")
        // 65504 is the largest half, 2^-24 the smallest subnormal; all exact in binary16.
        let values: [Float] = [0, 1, -2, 0.5, 65504, 0x1p-24, -0.25, 1024, 3, 0.1875, -65504, 7, 8, 9, 10]
        let bits: [UInt16] = [0x0000, 0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0xB400, 0x6400, 0x4200, 0x3200,
                              0xFBFF, 0x4700, 0x4800, 0x4880, 0x4900]
        do {
            let file = try H5File.create(path)
            try file.createDataset("x", type: .float16, shape: [Self.rows, Self.columns]).write(values)
            try file.close()
        }
        let dataset = try H5File.open(path).openDataset("x")
        #expect(dataset.elementType == .float16)
        let back: [Float] = try dataset.readAll()
        #expect(back == values)
        var raw = [UInt16](repeating: 0, count: values.count)
        try raw.withUnsafeMutableBytes { try dataset.readRaw(rows: 0..<Self.rows, into: $0) }
        #expect(raw == bits)
    }

    private func roundTrip<T: H5Scalar & Equatable>(_ values: [T], type: H5ElementType) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("\(type).h5")
        let (R, C) = (Self.rows, Self.columns)
        do {
            let file = try H5File.create(path)
            let dataset = try file.createDataset("data/values", type: type, shape: [R, C])
            // Two separate row-range writes: rows 0..<2, then rows 2..<5.
            try values.withUnsafeBufferPointer { all in
                try dataset.write(rows: 0..<2, from: UnsafeBufferPointer(rebasing: all[0..<2 * C]))
                try dataset.write(rows: 2..<R, from: UnsafeBufferPointer(rebasing: all[2 * C..<R * C]))
            }
            try file.close()
        }

        let file = try H5File.open(path)
        let dataset = try file.openDataset("data/values")
        #expect(dataset.elementType == type)
        #expect(dataset.shape == [R, C])
        #expect(dataset.path == "/data/values")
        #expect(dataset.filePath == path)
        let middle: [T] = try dataset.read(rows: 1..<4)
        #expect(middle == Array(values[C..<4 * C]))
        let all: [T] = try dataset.readAll()
        #expect(all == values)

        // Raw bytes are the native representation of the same values.
        var raw = [UInt8](repeating: 0, count: 2 * C * type.byteSize)
        try raw.withUnsafeMutableBytes { try dataset.readRaw(rows: 3..<5, into: $0) }
        let expected = values[3 * C..<5 * C].withUnsafeBytes { Array($0) }
        #expect(raw == expected)
    }
}
