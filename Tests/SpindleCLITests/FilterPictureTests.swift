import Foundation
import SpindleTestSupport
import Testing

/// `spindle inspect MODEL --filters FILE.svg`: the first conv layer's filters, one shaded square
/// per weight, and one line for a model without a conv layer.
@Suite struct FilterPictureTests {
    @Test func drawsTheFirstConvLayersFilters() throws {
        let scratch = try TemporaryDirectory()
        try spindleSucceeds(["train", bundledData, "--quiet", "--input-shape", "1,28,28", "--checkpoint-dir", "run",
                             "--model", "conv(5,3,pad=1),relu,maxpool(2),conv(3,2),flatten", "--max-steps", "5"], in: scratch)
        let run = try spindleSucceeds(["inspect", "run/model.h5", "--filters", "filters.svg"], in: scratch)
        #expect(run.stdout.contains("wrote filters.svg (00_conv's 5 filters)"), "\(run.transcript)")
        let svg = try String(contentsOfFile: scratch.path("filters.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("00_conv: 5 filters of 3×3 on 1 channel"))
        // 5 filters × 9 weights, each a filled square, plus one outline per filter.
        let squares = svg.components(separatedBy: "<rect x=").count - 1
        #expect(squares == 5 * 9 + 5, "\(squares) squares")
        #expect(svg.components(separatedBy: "<title>filter ").count - 1 == 5)
        // The layer's largest |weight| is full red or full blue.
        #expect(svg.contains("fill=\"#ff0000\"") || svg.contains("fill=\"#0000ff\""))
    }

    @Test func aModelWithoutConvIsOneLine() throws {
        let scratch = try TemporaryDirectory()
        try spindleSucceeds(["train", bundledData, "--quiet", "--layers", "8", "--checkpoint-dir", "run", "--max-steps", "2"],
                            in: scratch)
        let run = try spindle(["inspect", "run/model.h5", "--filters", "filters.svg"], in: scratch)
        #expect(run.status == 1 && run.stderrLines == ["spindle: --filters: 'run/model.h5' has no conv layer to draw"],
                "\(run.transcript)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("filters.svg")))
    }
}
