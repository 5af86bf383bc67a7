/// One split of a dataset as it will be written to HDF5: features (N, F) row-major and targets.
///
/// N is `rows`, F is `featureCount`, T is the regression target width. `uint8` features are stored
/// as they are (training scales them by 1/255 on the fly); everything else becomes `float32`.
public struct ImportedTable: Sendable {
    /// The feature matrix, (N, F) row-major.
    public enum Features: Sendable {
        /// Raw bytes, typically image pixels 0...255.
        case uint8([UInt8])
        /// Real-valued features, all finite.
        case float32([Float])

        /// Number of stored values, N × F.
        public var count: Int {
            switch self {
            case .uint8(let values): values.count
            case .float32(let values): values.count
            }
        }
    }

    /// What the model learns to predict.
    public enum Targets: Sendable {
        /// Classification: one class index 0..C-1 per row, shape (N).
        case labels([Int64])
        /// Regression: `width` (T) real targets per row, shape (N, T) row-major.
        case values([Float], width: Int)

        /// Number of stored values: N for labels, N × T for regression targets.
        public var count: Int {
            switch self {
            case .labels(let labels): labels.count
            case .values(let values, _): values.count
            }
        }

        /// Targets per row: 1 for labels, T for regression.
        public var width: Int {
            switch self {
            case .labels: 1
            case .values(_, let width): width
            }
        }
    }

    /// N, the number of samples.
    public var rows: Int
    /// F, the number of features per sample.
    public var featureCount: Int
    /// (N, F) row-major.
    public var features: Features
    /// (N) labels or (N, T) values.
    public var targets: Targets

    /// Creates a table whose buffers must already have the sizes `rows` and `featureCount` imply;
    /// a mismatch is a programming mistake and traps.
    public init(rows: Int, featureCount: Int, features: Features, targets: Targets) {
        precondition(rows >= 0 && featureCount >= 0, "ImportedTable: negative shape")
        precondition(features.count == rows * featureCount,
                     "ImportedTable: \(features.count) feature values for \(rows) × \(featureCount)")
        precondition(targets.width > 0 && targets.count == rows * targets.width,
                     "ImportedTable: \(targets.count) target values for \(rows) rows × \(targets.width)")
        self.rows = rows
        self.featureCount = featureCount
        self.features = features
        self.targets = targets
    }
}
