/// How `CSVTableImporter` reads a table: the numeric reader's options (header, separator, target
/// column and kind) plus column kinds, missing values and the categorical encoding.
///
/// In `csv.targets`, `.classIndices` means "detect": integer labels stay class indices, and a label
/// column holding any text becomes class names (sorted, class i being the i-th name).
public struct TableImportOptions: Sendable {
    public var csv: CSVOptions
    /// Columns read as categories even when every cell is a number (e.g. codes, zip codes).
    public var categorical: [CSVOptions.Column]
    /// Columns that must hold numbers: text in them is an error rather than a category.
    public var numeric: [CSVOptions.Column]
    /// Columns left out of the features (identifiers, free text, leaks).
    public var ignore: [CSVOptions.Column]
    /// Cell texts that mean "missing" (default `TableImportOptions.defaultMissingValues`).
    public var missingValues: [String]
    /// Adds a 0/1 feature after each numeric column that has missing cells in training.
    public var missingIndicators: Bool
    /// One-hot only the N most frequent categories of each column; the rest become `<other>`.
    /// nil: every category, up to `defaultCategoryLimit` (more is an error that suggests this).
    public var maxCategories: Int?
    /// deflate level 1–9 for the written datasets, or 0 for none.
    public var gzipLevel: Int
    /// Threads that encode a plain (not gzip) file's blocks in the second pass (default: the
    /// cores). The output does not depend on it.
    public var workers: Int = WorkerPool.activeProcessorCount
    /// Bytes of CSV read at a time (default 8 MiB); memory holds a block per worker. Tests make
    /// it small so that records cross block boundaries.
    public var readBlockBytes: Int = CSVBlocks.blockBytes
    /// Numeric values kept, over all numeric columns, for exact medians (default 2^23, 32 MB);
    /// a column past its share gets a median within 2^-8 of the true one (`StreamingMedian`).
    public var exactMedianValues: Int = 1 << 23

    /// Categories (or class labels) a column may have without `--max-categories`.
    public static let defaultCategoryLimit = 1000
    /// Empty cells, NA, N/A, NaN, nan, null, NULL and ?.
    public static let defaultMissingValues = TableCells.defaultMissingValues

    public init(csv: CSVOptions = CSVOptions(), categorical: [CSVOptions.Column] = [], numeric: [CSVOptions.Column] = [],
                ignore: [CSVOptions.Column] = [], missingValues: [String] = TableImportOptions.defaultMissingValues,
                missingIndicators: Bool = false, maxCategories: Int? = nil, gzipLevel: Int = 1) {
        self.csv = csv
        self.categorical = categorical
        self.numeric = numeric
        self.ignore = ignore
        self.missingValues = missingValues
        self.missingIndicators = missingIndicators
        self.maxCategories = maxCategories
        self.gzipLevel = gzipLevel
    }
}
