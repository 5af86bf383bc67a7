/// The processes ("ranks") that share every training step when Spindle runs data parallel across
/// processes and hosts (`mpirun -np R spindle train …`); one process by default.
///
/// Every rank runs the same program on its share of each global minibatch and calls the
/// collective operations below in the same order; each returns once every rank has taken part.
/// Implementations: `SingleProcess` here, and `MPICommunicator` in the SpindleMPI module (built
/// with the package's MPI trait).
///
/// A failure of the transport (a rank died, the network went away) is not something a caller
/// can recover from mid-step: implementations report it as one clear line and stop every rank.
public protocol Communicator: AnyObject, Sendable {
    /// This process's index, 0..<size; rank 0 writes the reports, logs and checkpoints.
    var rank: Int { get }
    /// Processes sharing each step.
    var size: Int { get }
    /// Replaces `values`, on every rank, by their elementwise sum over the ranks. Every rank gets
    /// the same bits, and for a fixed `size` the same bits on every run.
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>)
    /// As the Float version, for the step's loss and count scalars.
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Every rank's `value`, indexed by rank, on every rank.
    func allgather(_ value: UInt64) -> [UInt64]
    /// Stops every rank with exit status `code` (after the caller has said why).
    func abort(code: Int32) -> Never
}

extension Communicator {
    /// Whether this rank is the one that speaks and writes.
    public var isPrimary: Bool { rank == 0 }

    /// Whether `flag` is true on any rank (a collective: every rank must call it).
    public func any(_ flag: Bool) -> Bool {
        var value = [flag ? 1.0 : 0.0]
        value.withUnsafeMutableBufferPointer { allreduceSum($0) }
        return value[0] > 0
    }

    /// `values` summed over the ranks (a collective).
    public func sum(_ values: [Double]) -> [Double] {
        var result = values
        result.withUnsafeMutableBufferPointer { allreduceSum($0) }
        return result
    }
}
