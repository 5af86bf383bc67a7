/// Ranks of a distributed run that cannot train together; each describes itself in one line.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
    /// The ranks were started with different settings, data or checkpoint.
    case ranksDisagree(what: String, ranks: [Int], hint: String)
    /// The ranks' weights differ after training (a broken MPI reduction; never expected).
    case weightsDiverged(ranks: [Int])
    /// The program was launched by an MPI launcher but cannot take part.
    case notAvailable(problem: String)

    public var description: String {
        switch self {
        case let .ranksDisagree(what, ranks, hint):
            return "rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) " +
                "started with other \(what) than rank 0; \(hint)"
        case let .weightsDiverged(ranks):
            return "the weights of rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) " +
                "differ from rank 0's after training: the MPI library's reduction is not deterministic"
        case let .notAvailable(problem):
            return problem
        }
    }
}
