import Foundation
import SpindleTestSupport
import Testing

/// `spindle scale --ranks`: ranks × workers. The flag checks need no MPI; the measurement does
/// (MPITests.scaleOverRanks).
@Suite struct ScaleRanksTests {
    @Test(arguments: ["0", "1,x", "", "1,,2", "2000"])
    func invalidRankCountsAreRefused(_ value: String) throws {
        let scratch = try TemporaryDirectory()
        let result = try spindle(["scale", "--ranks", value] + ScaleTests.quick, in: scratch)
        #expect(result.status != 0)
        #expect(result.stderr.contains("invalid --ranks '\(value)'") && result.stderr.contains("expected counts from 1 to 1024"),
                "\(result.transcript)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }

    /// The default build has no MPI: asking for ranks is one clear line, not a failed launch.
    @Test func ranksNeedTheMPIBuild() throws {
        let scratch = try TemporaryDirectory()
        let result = try spindle(["scale", "--ranks", "1,2"] + ScaleTests.quick, in: scratch)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stderr.contains("spindle: --ranks 2 needs the MPI build of spindle: swift build -c release --traits MPI"),
                "\(result.transcript)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }
}
