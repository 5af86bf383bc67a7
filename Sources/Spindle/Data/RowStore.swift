/// Rows held in memory that a batch can be gathered from: a whole split loaded at start
/// (`DatasetSplit`), or one shuffle window of a streamed split (`RowWindow`).
///
/// Gathering converts the stored element type to Float (uint8 scaled by 1/255) on the calling
/// worker, so conversion is part of the parallel step, never a serial pass on the reader.
public protocol RowStore: AnyObject, Sendable {
    var featureCount: Int { get }
    /// Whether the targets are class labels (false: float targets, or none).
    var hasLabels: Bool { get }
    /// Copies rows `indices` of the store into consecutive rows of the destinations.
    /// - Parameters:
    ///   - x: (count, F) features as Float.
    ///   - labels: (count) class indices, for label targets.
    ///   - targets: (count, T) float targets: regression values, or one-hot labels (T = C) for
    ///     MSE on a classification dataset.
    func gather(_ indices: ArraySlice<Int>, x: UnsafeMutablePointer<Float>,
                labels: UnsafeMutablePointer<Int32>?, targets: UnsafeMutablePointer<Float>?, targetWidth: Int)
    /// Copies the class labels of rows `indices` (a store with labels), and nothing else: what
    /// a weighted loss needs before the step (`ClassWeights`).
    func gatherLabels(_ indices: ArraySlice<Int>, into labels: UnsafeMutablePointer<Int32>)
}

/// Writes label `label` as a one-hot row of `width`.
@inline(__always)
func writeOneHot(_ label: Int32, into row: UnsafeMutablePointer<Float>, width: Int) {
    // The public entry points refuse such a label with a message; this is the last guard.
    precondition(label >= 0 && Int(label) < width, "one-hot: label \(label) of \(width) classes")
    row.update(repeating: 0, count: width)
    row[Int(label)] = 1
}
