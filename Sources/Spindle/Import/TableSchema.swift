/// How a CSV table's columns become the feature vector (F floats) and targets of a dataset, as
/// learnt from the training split: each column's kind, the numeric fill values (training medians),
/// the categorical vocabularies, and the class names of a label column.
///
/// `spindle import csv` stores it in the dataset file (the root attribute `table_schema`, JSON; see
/// docs/dataset-format.md), so that rows seen later (`predict` on a raw CSV) are encoded exactly as
/// the training rows were: `encode(row:)`. Codable and Equatable so that a model file can embed it.
///
/// Feature layout, column by column in file order:
/// - numeric: its value (missing → `fill`), then, with `missingIndicator`, 1 if it was missing else 0;
/// - categorical: one-hot over `categories` + `<missing>` + `<other>` (k + 2 floats);
/// - ignored and target columns: nothing.
public struct TableSchema: Codable, Equatable, Sendable {
    /// The layout version; readers refuse newer ones.
    public var version: Int = 1
    /// Every column of the file, in file order.
    public var columns: [Column]
    /// What the target column(s) hold.
    public var targets: Targets
    /// Cell texts that mean "missing" (after trimming blanks and quotes), e.g. "", "NA", "?".
    public var missingValues: [String]
    /// Whether the training file had a header row, and its field delimiter (one character):
    /// how a raw CSV for `predict` is read. Nil in schemas from before they were recorded
    /// (read as: a header unless the names are column_1, column_2, …; a comma).
    public var header: Bool?
    public var delimiter: String?

    /// One CSV column.
    public struct Column: Codable, Equatable, Sendable {
        public var name: String
        public var kind: Kind
        /// numeric: the value that stands in for a missing cell (the training median).
        public var fill: Float?
        /// numeric: whether a 0/1 "was missing" feature follows the value.
        public var missingIndicator: Bool
        /// categorical: the vocabulary, most frequent in training first (ties in byte order).
        public var categories: [String]?

        public init(name: String, kind: Kind, fill: Float? = nil, missingIndicator: Bool = false,
                    categories: [String]? = nil) {
            self.name = name
            self.kind = kind
            self.fill = fill
            self.missingIndicator = missingIndicator
            self.categories = categories
        }

        /// Features this column contributes.
        public var width: Int {
            switch kind {
            case .numeric: missingIndicator ? 2 : 1
            case .categorical: (categories?.count ?? 0) + 2
            case .ignored, .target: 0
            }
        }
    }

    public enum Kind: String, Codable, Sendable {
        case numeric, categorical, ignored, target
    }

    /// What the target column(s) hold.
    public enum Targets: Codable, Equatable, Sendable {
        /// Integer class indices 0..C-1 as written in the file.
        case classIndices
        /// Class names: class i is `names[i]` (sorted, as `CSVReader` sorts them).
        case classNames([String])
        /// T real-valued targets, one per target column.
        case regression(width: Int)
    }

    /// The category every value unseen in training maps to, and the one for missing cells.
    public static let otherCategory = "<other>", missingCategory = "<missing>"

    public init(columns: [Column], targets: Targets, missingValues: [String]) {
        self.columns = columns
        self.targets = targets
        self.missingValues = missingValues
    }

    /// F, the length of an encoded row.
    public var featureCount: Int { columns.reduce(0) { $0 + $1.width } }

    /// One name per feature: "age", "age=<missing?>", "workclass=Private", "workclass=<other>", ….
    public var featureNames: [String] {
        columns.flatMap { column -> [String] in
            switch column.kind {
            case .numeric: [column.name] + (column.missingIndicator ? ["\(column.name)=\(Self.missingCategory)"] : [])
            case .categorical:
                ((column.categories ?? []) + [Self.missingCategory, Self.otherCategory]).map { "\(column.name)=\($0)" }
            case .ignored, .target: []
            }
        }
    }

    /// The class names, when the targets are named classes.
    public var classNames: [String]? {
        if case .classNames(let names) = targets { return names }
        return nil
    }
}

extension TableSchema.Targets {
    private enum CodingKeys: String, CodingKey { case kind, names, width }

    /// `{"kind": "class_indices"}`, `{"kind": "class_names", "names": [...]}` or
    /// `{"kind": "regression", "width": T}`: plain JSON for readers in other languages.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "class_indices": self = .classIndices
        case "class_names": self = .classNames(try container.decode([String].self, forKey: .names))
        case "regression": self = .regression(width: try container.decode(Int.self, forKey: .width))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription:
                "unknown target kind '\(other)' (expected class_indices, class_names or regression)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .classIndices:
            try container.encode("class_indices", forKey: .kind)
        case .classNames(let names):
            try container.encode("class_names", forKey: .kind)
            try container.encode(names, forKey: .names)
        case .regression(let width):
            try container.encode("regression", forKey: .kind)
            try container.encode(width, forKey: .width)
        }
    }
}
