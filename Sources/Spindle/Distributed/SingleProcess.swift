import Foundation

/// The communicator of an ordinary run: one rank, and every collective is the identity.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func allgather(_ value: UInt64) -> [UInt64] { [value] }
    public func abort(code: Int32) -> Never { exit(code) }
}
