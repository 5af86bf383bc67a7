/// Checks, before training, that every rank is about to run the same training: the same
/// settings, the same data shape and the same starting weights. Ranks that disagree would
/// otherwise train silently different models, or deadlock in a collective.
public enum RankAgreement {
    /// One property the ranks must agree on: what it is (for the message), its digest on this
    /// rank, and what to do when ranks differ.
    public struct Item: Sendable {
        public var what: String
        public var digest: UInt64
        public var hint: String

        public init(_ what: String, digest: UInt64, hint: String) {
            (self.what, self.digest, self.hint) = (what, digest, hint)
        }
    }

    /// Compares every item with rank 0's; a collective (every rank calls it with the same items
    /// in the same order).
    /// - Throws: `DistributedError.ranksDisagree`, on every rank, naming the first item and the
    ///   ranks that differ.
    public static func check(_ items: [Item], on communicator: Communicator) throws {
        for item in items {
            let digests = communicator.allgather(item.digest)
            let differing = digests.indices.filter { digests[$0] != digests[0] }
            if !differing.isEmpty {
                throw DistributedError.ranksDisagree(what: item.what, ranks: differing, hint: item.hint)
            }
        }
    }

    /// Ranks whose `digest` differs from rank 0's (a collective).
    public static func differing(_ digest: UInt64, on communicator: Communicator) -> [Int] {
        let digests = communicator.allgather(digest)
        return digests.indices.filter { digests[$0] != digests[0] }
    }
}

/// FNV-1a, 64-bit: a digest of bytes that is the same on every platform and run (Swift's
/// `Hasher` is seeded per process, so two ranks would never agree).
public struct Digest: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
    }

    public mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { add(UnsafeRawBufferPointer($0)) }
    }

    public mutating func add(_ number: Int) {
        withUnsafeBytes(of: Int64(number).littleEndian) { add($0) }
    }

    public mutating func add(_ buffer: FloatBuffer) {
        add(UnsafeRawBufferPointer(start: buffer.base, count: buffer.count * MemoryLayout<Float>.stride))
    }

    /// The digest of `buffer`'s bytes.
    public static func of(_ buffer: FloatBuffer) -> UInt64 {
        var digest = Digest()
        digest.add(buffer)
        return digest.value
    }
}
