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

    /// Streams the bundled sample, stops at step 100 with checkpoints, resumes to the end.
    @Test func readmeExampleRuns() throws {
        // README example begins
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spindle-readme").path
        try? FileManager.default.removeItem(atPath: directory)

        // 6 MiB for all the data: the training split (7.5 MiB) is streamed through shuffle windows,
        // and the test split is read a window at a time through what the windows leave.
        var data = DataSource(path: "data/fashion-mnist-small.h5")
        data.memoryBudget = MemoryBudget(bytes: 6 << 20)
        data.validationFraction = 0.1

        var setup = TrainingRun.Setup(config: TrainingConfig(model: try ModelSpecParser.parse("dense(64),relu"),
                                                                     epochs: 2, maxSteps: 100, seed: 0),
                                      data: data, workers: 2,
                                      checkpoints: CheckpointPolicy(directory: directory, every: 25, keep: 2))
        let first = try TrainingRun(setup)
        first.listen { event, _ in
            if case let .epoch(report, _) = event {
                print("epoch \(report.epoch): loss \(report.trainLoss), val accuracy \(report.validation?.accuracy ?? 0)")
            }
        }
        let partial = try first.run()
        print("stopped at step \(partial.result.steps) of \(first.stepsPerEpoch) an epoch")

        // Continue from the newest checkpoint to the end of the second epoch: the bits of one run.
        setup.config.maxSteps = nil
        setup.resume = try ResumePoint.newest(in: directory)
        let second = try TrainingRun(setup)
        let outcome = try second.run()
        print("resumed at step \(second.start.step), trained to \(outcome.result.steps)")
        print("test accuracy \(outcome.test?.accuracy ?? 0), model in \(outcome.modelPath ?? "-")")
        // README example ends

        #expect(first.data.stream != nil, "the training split is streamed")
        #expect(!(first.data.test is DatasetSplit), "the test split is read a window at a time")
        #expect(first.data.placement.peakBytes <= 6 << 20)
        #expect(partial.result.steps == 100 && second.start.step == 100)
        #expect(outcome.result.steps == 2 * second.stepsPerEpoch)
        #expect((outcome.test?.accuracy ?? 0) > 0.6, "two epochs of a 784-64-10 network learn most of the sample")
        let reloaded = try ModelFile.read(from: try #require(outcome.modelPath))
        #expect(reloaded.network.spec.architecture == "784-64-10" && reloaded.steps == outcome.result.steps)
        try? FileManager.default.removeItem(atPath: directory)
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
