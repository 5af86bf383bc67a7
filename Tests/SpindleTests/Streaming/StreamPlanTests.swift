import Foundation
import Spindle
import Testing

/// The streamed order: every row exactly once per epoch, a pure function of (seed, epoch), and
/// well mixed for a block shuffle.
struct StreamPlanTests {
    static func plan(seed: UInt64 = 0, rows: Int = 1000) -> StreamPlan {
        StreamPlan(blocks: StreamPlan.blocks(rows: 0..<rows, blockRows: 16), windowBlocks: 5, seed: seed, shuffled: true)
    }

    @Test(arguments: [0, 1, 2])
    func everyRowIsVisitedExactlyOncePerEpoch(epoch: Int) {
        let rows = Self.plan().epoch(epoch).fileRows()
        #expect(rows.count == 1000)
        #expect(rows.sorted() == Array(0..<1000))
    }

    @Test func theOrderIsAPureFunctionOfSeedAndEpoch() {
        let plan = Self.plan()
        #expect(plan.epoch(1).fileRows() == Self.plan().epoch(1).fileRows())
        #expect(plan.epoch(0).fileRows() != plan.epoch(1).fileRows())
        #expect(plan.epoch(0).fileRows() != Self.plan(seed: 1).epoch(0).fileRows())
    }

    @Test func windowsHoldWholeBlocksAndMixTheirRows() {
        let plan = Self.plan()
        let epoch = plan.epoch(0)
        #expect(epoch.windows.count == 13)  // 63 blocks (the last of 8 rows), 5 to a window
        #expect(epoch.starts.last == 1000)
        let order = epoch.fileRows()
        for (w, blocks) in epoch.windows.enumerated() {
            let visited = Set(order[epoch.starts[w]..<epoch.starts[w + 1]])
            #expect(visited == Set(blocks.flatMap { Array($0) }))
        }
        // Block shuffle alone would keep runs of consecutive rows; the window shuffle breaks them.
        let consecutive = zip(order, order.dropFirst()).filter { $1 == $0 + 1 }.count
        #expect(consecutive < 20)
        // And the blocks come in another order than the file's.
        #expect(epoch.windows.flatMap { $0 } != plan.blocks)
    }

    @Test func aSequentialPlanKeepsFileOrder() {
        let plan = StreamPlan(blocks: StreamPlan.blocks(rows: 0..<100, blockRows: 7), windowBlocks: 3, seed: 9, shuffled: false)
        #expect(plan.epoch(4).fileRows() == Array(0..<100))
    }

    @Test func positionsMapToTheirWindow() {
        let epoch = Self.plan().epoch(2)
        for p in [0, 1, 79, 80, 81, 500, 999] {
            let w = epoch.window(containing: p)
            #expect(epoch.starts[w] <= p && p < epoch.starts[w + 1])
        }
    }
}

/// The memory budget: parsing sizes, and fitting the stream's windows into it.
struct MemoryBudgetTests {
    @Test func parsesSizes() {
        #expect(MemoryBudget(parsing: "512M")?.bytes == 512 << 20)
        #expect(MemoryBudget(parsing: "4g")?.bytes == 4 << 30)
        #expect(MemoryBudget(parsing: "1.5GiB")?.bytes == 3 << 29)
        #expect(MemoryBudget(parsing: "100K")?.bytes == 102_400)
        #expect(MemoryBudget(parsing: "12345")?.bytes == 12345)
        #expect(MemoryBudget(parsing: "2TB")?.bytes == 2 << 40)
        for bad in ["", "M", "-1G", "0", "lots", "1X", "nan", "0.1"] {
            #expect(MemoryBudget(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func formatsSizes() {
        #expect(MemoryBudget.format(512) == "512 bytes")
        #expect(MemoryBudget.format(384 << 20) == "384 MiB")
        #expect(MemoryBudget.format(3 << 29) == "1.5 GiB")
    }

    /// Against the machine's memory read here, not through ProcessInfo: MemTotal of
    /// /proc/meminfo on Linux (the kernel's total RAM, in KiB), `hw.memsize` elsewhere.
    @Test func theDefaultIsAQuarterOfMemory() throws {
        #if os(Linux)
        let meminfo = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8)
        let line = try #require(meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }, "\(meminfo)")
        // "MemTotal:       24683652 kB"
        let kib = try #require(line.split(separator: " ").dropFirst().first.flatMap { Int($0) }, "\(line)")
        #expect(line.hasSuffix(" kB"), "\(line)")
        let physical = kib * 1024
        #else
        var physical = 0, size = MemoryLayout<Int>.size
        #expect(sysctlbyname("hw.memsize", &physical, &size, nil, 0) == 0)
        #endif
        #expect(physical > 0)
        #expect(MemoryBudget.default.bytes == physical / 4,
                "\(MemoryBudget.default.bytes) bytes, a quarter of \(physical) is \(physical / 4)")
    }
}
