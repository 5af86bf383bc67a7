/// An array read from a NumPy `.npy` file: its element type, shape and values in C order.
public struct NPYArray: Sendable {
    /// The values, widened to one of three Swift types so integer-ness survives.
    public enum Values: Sendable {
        /// `uint8` and `bool` (as 0 / 1) elements.
        case uint8([UInt8])
        /// Every other integer type (`int8` … `int64`, `uint16` … `uint64` up to `Int64.max`).
        case int64([Int64])
        /// `float32` and `float64` (rounded to the nearest float32). NaN and ±Inf are kept as read.
        case float32([Float])

        /// Number of elements.
        public var count: Int {
            switch self {
            case .uint8(let values): values.count
            case .int64(let values): values.count
            case .float32(let values): values.count
            }
        }
    }

    /// The element type as stored in the file.
    public var dtype: NPYDType
    /// The shape as stored in the file, e.g. `[60000, 28, 28]`; `[]` for a 0-d array.
    public var shape: [Int]
    /// The elements in C (row-major) order, also when the file was written in Fortran order.
    public var values: Values

    /// Creates an array; `values.count` must equal the product of `shape`.
    public init(dtype: NPYDType, shape: [Int], values: Values) {
        precondition(values.count == shape.reduce(1, *), "NPYArray: \(values.count) values for shape \(shape)")
        self.dtype = dtype
        self.shape = shape
        self.values = values
    }

    /// The shape as NumPy prints it: `(60000, 28, 28)`, `(5,)`, `()`.
    public var shapeDescription: String { Self.describe(shape: shape) }

    static func describe(shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

/// A `.npy` element type: one of the fixed-size numeric types of NumPy's `descr` strings.
public struct NPYDType: Sendable, Equatable, CustomStringConvertible {
    /// The family of the element type.
    public enum Kind: Sendable, Equatable {
        case bool, signed, unsigned, float
    }

    /// The family: `b`, `i`, `u` or `f` in `descr`.
    public var kind: Kind
    /// Bytes per element.
    public var size: Int
    /// Whether multi-byte elements are stored most significant byte first (`>`).
    public var isBigEndian: Bool

    /// The NumPy name, e.g. `float64` or `int16 (big-endian)`.
    public var description: String {
        let name = switch kind {
        case .bool: "bool"
        case .signed: "int\(size * 8)"
        case .unsigned: "uint\(size * 8)"
        case .float: "float\(size * 8)"
        }
        return isBigEndian && size > 1 ? "\(name) (big-endian)" : name
    }

    /// Whether the elements are integers (bool counts as the integers 0 and 1).
    public var isInteger: Bool { kind != .float }

    /// Parses a `descr` such as `<f4`, `>i8`, `|u1` or `|b1`; `nil` for anything Spindle cannot read
    /// (strings, objects, complex, float16, datetimes, structured types).
    public init?(descr: String) {
        let characters = Array(descr)
        guard characters.count >= 3, let size = Int(String(characters[2...])) else { return nil }
        switch characters[0] {
        case "<", "|": isBigEndian = false
        case ">": isBigEndian = true
        // "=" is the writer's native order; every platform NumPy and Spindle share is little-endian.
        case "=": isBigEndian = false
        default: return nil
        }
        switch (characters[1], size) {
        case ("b", 1): kind = .bool
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
        case ("f", 4), ("f", 8): kind = .float
        default: return nil
        }
        self.size = size
    }
}
