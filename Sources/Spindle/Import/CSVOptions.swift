/// How `CSVReader` interprets a numeric CSV file.
///
/// The defaults read the common layout: a header row if the first row is not all numbers, comma
/// separated, the last column holding integer class labels and every other column a feature.
public struct CSVOptions: Sendable {
    /// Whether the first row names the columns.
    public enum Header: Sendable, Equatable {
        /// A header exists when a first-row field that must hold a number does not.
        case auto
        /// The first row is a header.
        case present
        /// Every row is data.
        case absent
    }

    /// A column chosen by position or by header name.
    public enum Column: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
        /// 0-based position; negative counts from the end (-1 is the last column).
        case index(Int)
        /// The header field with this name (needs a header row).
        case name(String)

        public init(integerLiteral value: Int) { self = .index(value) }
        public init(stringLiteral value: String) { self = .name(value) }
    }

    /// What the target column(s) hold.
    public enum Targets: Sendable, Equatable {
        /// Integer class indices >= 0 in one column.
        case classIndices
        /// Class names (any text) in one column, mapped to 0..C-1 in sorted order.
        case classNames
        /// `count` (T) consecutive columns of real-valued regression targets.
        case regression(count: Int)
    }

    /// How the features are stored.
    public enum FeatureType: Sendable, Equatable {
        /// 32-bit floats; any finite number.
        case float32
        /// Raw bytes: every feature must be an integer 0...255 (e.g. pixels of an image CSV),
        /// which training then scales by 1/255 like IDX pixels.
        case uint8
    }

    /// Whether the first row is a header. Default `.auto`.
    public var header: Header
    /// The field separator: an ASCII character such as `,` (default), `;` or a tab.
    public var separator: Character
    /// Where the target columns are. Default `-1`, the last column.
    ///
    /// With `.regression(count: T)` this anchors a block of T columns: a negative index marks the
    /// block's *last* column (so `-1` means "the last T columns"), while a non-negative index or a
    /// name marks its *first* column.
    public var labelColumn: Column
    /// What the target columns hold. Default `.classIndices`.
    public var targets: Targets
    /// How the features are stored. Default `.float32`.
    public var featureType: FeatureType
    /// For `.classNames` targets: the classes to map names into, class `i` being `knownClassNames[i]`
    /// (pass the training file's names when reading its test file, so both agree even if the test
    /// file lacks a class). A name not in the list is an error. `nil` (default): the file's own
    /// names, sorted.
    public var knownClassNames: [String]?

    /// Creates options; every argument has the default described on its property.
    public init(header: Header = .auto, separator: Character = ",", labelColumn: Column = -1,
                targets: Targets = .classIndices, featureType: FeatureType = .float32,
                knownClassNames: [String]? = nil)
    {
        self.header = header
        self.separator = separator
        self.labelColumn = labelColumn
        self.targets = targets
        self.featureType = featureType
        self.knownClassNames = knownClassNames
    }

    /// T, the number of target columns.
    var targetWidth: Int {
        if case .regression(let count) = targets { return count }
        return 1
    }

    /// The separator as one byte, or an error if it cannot separate numbers unambiguously.
    func separatorByte(file: String) throws -> UInt8 {
        let bad = "\"'.-+\r\n"
        guard let ascii = separator.asciiValue, !separator.isLetter, !separator.isNumber,
              !bad.contains(separator), ascii != 0x20
        else {
            throw ImportError(file: file, reason: .badOption,
                              message: "separator \(separator.debugDescription) cannot separate numbers "
                                  + "(expected ',', ';', a tab or other ASCII punctuation)")
        }
        return ascii
    }
}
