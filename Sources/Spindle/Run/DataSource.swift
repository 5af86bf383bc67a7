/// Which file a run trains on, which datasets in it, and the memory its data may take.
public struct DataSource: Sendable {
    /// The HDF5 dataset file.
    public var path: String
    /// The training split's datasets.
    public var train = DatasetReader.SplitPaths.named("train")
    /// The test split's datasets, evaluated after training when the file holds them.
    public var test = DatasetReader.SplitPaths.named("test")
    /// Fraction of the training rows held out for validation after each epoch, in [0, 1); used
    /// when the file has no /val split. A streamed split holds out whole blocks.
    public var validationFraction = 0.0
    /// Memory every split together may take: the training split (whole, or its ring of shuffle
    /// windows), and the validation and test splits (whole, or the window they are read through).
    public var memoryBudget = MemoryBudget.default
    /// Shuffle windows read ahead while streaming the training split (ring = prefetch + 1).
    public var prefetch = 2
    /// Rows per shuffle window while streaming (nil: what the budget allows, up to
    /// `MemoryBudget.streamingCap` for all windows).
    public var shuffleWindowRows: Int?

    public init(path: String) { self.path = path }
}
