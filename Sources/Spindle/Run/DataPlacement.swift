/// Where each split of a run lives under one memory budget, and what it holds there.
///
/// Splits are placed in turn: the training split first (whole if it fits, else a ring of shuffle
/// windows), then validation and test, each loaded whole when it fits what is left, else read a
/// window at a time through what is left after every loaded split. Streamed evaluation splits
/// are read one at a time (validation after an epoch, test after training), so they share that
/// window; the training split's ring leaves room for at least one block of it.
public struct DataPlacement: Sendable, Equatable {
    /// What a split is used for.
    public enum Role: String, Sendable { case train, validation, test }

    /// How a split is held.
    public enum Residence: Sendable, Equatable {
        /// Loaded whole: `bytes` in memory for the whole run.
        case inMemory(bytes: Int)
        /// Read from the file: `windowBytes` in memory at a time (the training split's ring, or
        /// an evaluation split's read window).
        case streamed(windowBytes: Int)

        public var bytes: Int {
            switch self {
            case let .inMemory(bytes): return bytes
            case let .streamed(windowBytes): return windowBytes
            }
        }
    }

    /// One split's placement.
    public struct Entry: Sendable, Equatable {
        public var role: Role
        /// "data.h5:/test", for messages.
        public var name: String
        public var rows: Int
        /// Bytes the split would take loaded whole.
        public var wholeBytes: Int
        public var residence: Residence
    }

    public let budget: MemoryBudget
    public internal(set) var entries: [Entry] = []

    init(budget: MemoryBudget) { self.budget = budget }

    /// The entry of `role`, nil when the run has no such split.
    public subscript(role: Role) -> Entry? { entries.first { $0.role == role } }

    /// The most bytes the splits hold at once: every split loaded whole, the training ring, and
    /// the largest read window (streamed evaluation splits are read one at a time).
    public var peakBytes: Int {
        var loaded = 0, window = 0
        for entry in entries {
            switch entry.residence {
            case let .inMemory(bytes): loaded += bytes
            case let .streamed(bytes): if entry.role == .train { loaded += bytes } else { window = max(window, bytes) }
            }
        }
        return loaded + window
    }

    /// The budget not yet taken by loaded splits or the training ring.
    var left: Int {
        budget.bytes - entries.reduce(0) { sum, entry in
            switch entry.residence {
            case let .inMemory(bytes): return sum + bytes
            case let .streamed(bytes): return sum + (entry.role == .train ? bytes : 0)
            }
        }
    }

    /// Most rows an evaluation split is read at a time: more shuffle nothing and read no faster.
    static let readWindowRows = 1 << 14

    /// Rows of the window a streamed evaluation split is read through: what is left of the
    /// budget, at most `readWindowRows`, at least its largest block (nothing smaller can be read).
    static func readWindow(_ split: StreamedSplit, blockRows: Int, left: Int) -> Int {
        min(max(left / max(split.rowBytes, 1), blockRows), max(readWindowRows, blockRows))
    }
}
