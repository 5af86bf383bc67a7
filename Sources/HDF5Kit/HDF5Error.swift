/// A failed HDF5 operation: what was attempted, on which file or object, and why.
///
/// `message` is HDF5's own explanation taken from its error stack (for example
/// `"file signature not found (Not an HDF5 file)"` or `"No such file or directory"`), or, for
/// problems HDF5Kit detects itself such as an unsupported element type, a sentence saying what
/// was found and what was expected. ``description`` is a single line fit for a command-line
/// error message.
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was attempted, phrased to follow "cannot", e.g. `"open file"`, `"read dataset"`.
    public let operation: String
    /// The file path, or `"<file path>:<object path>"` for an object inside a file,
    /// e.g. `"data.h5:/train/x"`.
    public let path: String
    /// HDF5's own message (innermost, most specific entry of its error stack), on one line.
    public let message: String

    /// Creates an error; `message` is flattened to one line.
    public init(operation: String, path: String, message: String) {
        self.operation = operation
        self.path = path
        self.message = HDF5ErrorStack.oneLine(message)
    }

    /// `cannot <operation> '<path>': <message>`
    public var description: String {
        "cannot \(operation) '\(path)': \(message)"
    }
}
