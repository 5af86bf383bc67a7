import Foundation
import Spindle
import Testing

/// README.md's "Using Spindle from Swift" example, compiled and run by the suite.
///
/// The code between the two marker comments below must be exactly README.md's ```swift block,
/// line for line after trimming indentation and leaving out the block's `import` lines (they sit
/// at the top of this file). `readmeMatchesThisTest` fails when the two differ, so whoever edits
/// one must edit the other, and the README example cannot stop compiling or running unnoticed.
/// It runs from the package root, as `swift test` does, where data/ is.
@Suite struct ReadmeExampleTests {
    static let testFile = URL(fileURLWithPath: #filePath)
    static let readme = testFile.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")

    @Test func readmeExampleRuns() throws {
        // README example begins
        let file = try DatasetReader.openFile("data/fashion-mnist-small.h5")
        let train = try DatasetReader.load(file, .named("train"))
        let test = try DatasetReader.load(file, .named("test"))

        let config = TrainingConfig(hiddenSizes: [64], epochs: 1, seed: 0)
        let trainer = try Trainer(config: config, train: train, outputs: 10, workers: 2)
        trainer.onEpoch = { report in
            print("epoch \(report.epoch): training loss \(report.trainLoss)")
        }
        let result = try trainer.run()
        let report = try trainer.evaluate(test)
        print("test loss \(report.loss), accuracy \(report.accuracy ?? 0)")

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-64.h5").path
        try ModelFile(network: trainer.network, config: config, steps: result.steps,
                      epochs: result.epochs.count).write(to: path)
        let reloaded = try ModelFile.read(from: path)
        print("reloaded a \(reloaded.network.spec.architecture) network trained \(reloaded.steps) steps")
        // README example ends

        #expect(result.epochs.count == 1)
        #expect((report.accuracy ?? 0) > 0.6, "one epoch of a 784-64-10 network learns most of the sample")
        #expect(reloaded.network.spec.architecture == "784-64-10")
        #expect(reloaded.steps == result.steps)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The lines of `text`, indentation trimmed, blank lines kept (as empty strings), `import`
    /// lines left out.
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("import ") }
    }

    @Test func readmeMatchesThisTest() throws {
        let source = try String(contentsOf: Self.testFile, encoding: .utf8)
        let readme = try String(contentsOf: Self.readme, encoding: .utf8)

        let sourceLines = Self.lines(source)
        let begin = try #require(sourceLines.firstIndex(of: "// README example begins"))
        let end = try #require(sourceLines.firstIndex(of: "// README example ends"))
        let tested = Array(sourceLines[(begin + 1)..<end])

        let readmeLines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let blocks = readmeLines.indices.filter { readmeLines[$0] == "```swift" }
        try #require(blocks.count == 1, "README.md should have exactly one ```swift block")
        let open = blocks[0]
        let close = try #require(readmeLines[(open + 1)...].firstIndex(of: "```"), "the ```swift block is not closed")
        var shown = Self.lines(readmeLines[(open + 1)..<close].joined(separator: "\n"))
        // The imports' blank separator line.
        while shown.first == "" { shown.removeFirst() }

        #expect(shown == tested, """
            README.md's ```swift block differs from the code between the markers in \
            ReadmeExampleTests.swift; make them the same.
            README:
            \(shown.joined(separator: "\n"))
            test:
            \(tested.joined(separator: "\n"))
            """)
    }
}
