import Foundation

/// How much memory training data may take: a split that fits is loaded whole, a larger one is
/// streamed through a ring of shuffle windows.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    public let bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    /// A quarter of the machine's physical memory.
    public static var `default`: MemoryBudget {
        MemoryBudget(bytes: Int(ProcessInfo.processInfo.physicalMemory / 4))
    }

    /// Most memory streaming itself uses by default, whatever the budget: windows beyond about a
    /// hundred MiB each shuffle no better, and the rest of the budget is the page cache's.
    public static let streamingCap = 384 << 20

    /// Parses "512M", "4G", "1.5G", "100K", "2T" or a number of bytes (binary units; a trailing
    /// "B" or "iB" is allowed). Nil for anything else, or a size under 1 byte.
    public init?(parsing text: String) {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) && digits.count > suffix.count {
            digits.removeLast(suffix.count)
            break
        }
        var scale = 1.0
        if let unit = digits.last, let power = "KMGT".firstIndex(of: unit) {
            scale = pow(1024, Double("KMGT".distance(from: "KMGT".startIndex, to: power) + 1))
            digits.removeLast()
        }
        guard let value = Double(digits), value.isFinite, value * scale >= 1, value * scale < 1e18 else { return nil }
        bytes = Int(value * scale)
    }

    public var description: String { Self.format(bytes) }

    /// "384 MiB", "6.0 GiB".
    public static func format(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        if unit == 0 { return "\(bytes) bytes" }
        return value >= 100 || value == value.rounded() ? "\(Int(value.rounded())) \(units[unit])"
            : String(format: "%.1f %@", value, units[unit])
    }
}
