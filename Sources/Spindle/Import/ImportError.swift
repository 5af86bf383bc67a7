/// A problem with a dataset file handed to `spindle import`, described in one line a user can act on.
///
/// The description names the file (as the user typed it), where in the file the problem is when that
/// is known, what was found and what was expected:
/// `train-images-idx3-ubyte.gz: bad IDX magic 0x00000801 (expected 0x00000803 for uint8 images)` or
/// `data.csv line 17, column 3: 'abc' is not a number`.
public struct ImportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of mistake this is, for callers that react differently (tests, exit codes).
    public enum Reason: Sendable, Equatable {
        /// The path does not exist, is a directory, or cannot be opened.
        case cannotOpen
        /// Reading failed part-way (I/O error, corrupt gzip data).
        case unreadable
        /// The file holds no bytes, or no data rows.
        case empty
        /// The file ends before the data its header describes.
        case truncated
        /// The bytes are not the expected format (magic, header, structure).
        case badFormat
        /// The format is valid but uses a feature Spindle does not read (dtype, layout).
        case unsupported
        /// Two files, or two parts of one file, disagree (row counts, ragged rows).
        case mismatch
        /// A value is unusable: not a number, not finite, a negative or non-integer label.
        case invalidValue
        /// An option passed by the caller does not fit the file (unknown column, bad limit).
        case badOption
    }

    /// The file as the user named it.
    public var file: String
    /// Where in the file, e.g. "line 17, column 3"; `nil` when the problem is the whole file.
    public var location: String?
    /// The kind of mistake.
    public var reason: Reason
    /// What was found and what was expected.
    public var message: String

    /// Creates an error; `message` should say what was found and what was expected.
    public init(file: String, location: String? = nil, reason: Reason, message: String) {
        self.file = file
        self.location = location
        self.reason = reason
        self.message = message
    }

    public var description: String {
        if let location { return "\(file) \(location): \(message)" }
        return "\(file): \(message)"
    }
}
