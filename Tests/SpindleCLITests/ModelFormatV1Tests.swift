import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// Files that Spindle 0.1.0 wrote (model format version 1, Tests/Fixtures/v1, made as its
/// README says) keep working through the binary: a checkpoint resumes to the bits that version
/// reached, and the final model evaluates and predicts as it did.
@Suite struct ModelFormatV1Tests {
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/v1")
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// The flags of the fixtures' run (on the bundled data).
    static let run = ["--layers", "16", "--dropout", "0.1", "--standardize", "--epochs", "2", "--max-steps", "100",
                      "--checkpoint-every", "30", "--seed", "3", "--shards", "2"]

    /// Version 1's dataset paths as version 2 names them: dense(16), relu, dropout(0.1), then the
    /// output layer, so the dense layers 0 and 1 are the layers 00 and 03.
    static func versionTwoName(_ path: String) -> String {
        path.replacingOccurrences(of: "/model/dense_0/", with: "/model/00_dense/")
            .replacingOccurrences(of: "/model/dense_1/", with: "/model/03_dense/")
    }

    /// Resuming the 0.1.0 checkpoint of step 90 gives, bit for bit, the model 0.1.0 ended with at
    /// step 100: weights, biases, standardisation and Adam's moments; written as version 2.
    @Test func resumingAVersionOneCheckpointReproducesItsRun() throws {
        let scratch = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: scratch.path("run"), withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: Self.fixture("ckpt-000000090.h5"),
                                         toPath: scratch.path("run/ckpt-000000090.h5"))
        let resumed = try spindleSucceeds(["train", "--quiet"] + Self.run + ["--checkpoint-dir", "run", "--resume"],
                                          in: scratch)
        #expect(resumed.stderr.contains("resuming from run/ckpt-000000090.h5 at step 90"), "\(resumed.transcript)")

        let expected = try floatDatasets(in: Self.fixture("model.h5"))
        #expect(Set(expected.keys) == ["/model/dense_0/weight", "/model/dense_0/bias", "/model/dense_1/weight",
                                       "/model/dense_1/bias", "/model/standardize/mean", "/model/standardize/std",
                                       "/optimizer/moment_1", "/optimizer/moment_2"], "\(expected.keys.sorted())")
        let ours = try floatDatasets(in: scratch.path("run/model.h5"))
        #expect(ours.keys.sorted() == expected.keys.map(Self.versionTwoName).sorted())
        for (path, bits) in expected.sorted(by: { $0.key < $1.key }) {
            let other = ours[Self.versionTwoName(path)] ?? []
            let differing = other.count == bits.count ? zip(bits, other).filter { $0 != $1 }.count : bits.count
            #expect(other == bits, "\(Self.versionTwoName(path)): \(differing) of \(bits.count) values differ from 0.1.0's \(path)")
        }
        // The four parameter datasets named in the version 2 layout, read on their own.
        let file = try H5File.open(scratch.path("run/model.h5"))
        let original = try H5File.open(Self.fixture("model.h5"))
        for (new, old) in [("00_dense/weight", "dense_0/weight"), ("00_dense/bias", "dense_0/bias"),
                           ("03_dense/weight", "dense_1/weight"), ("03_dense/bias", "dense_1/bias")] {
            let a: [Float] = try file.openDataset("/model/" + new).readAll()
            let b: [Float] = try original.openDataset("/model/" + old).readAll()
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "/model/\(new) vs 0.1.0's /model/\(old)")
        }
        #expect(try file.intAttribute("format_version") == 2)
        #expect(try file.openGroup("model").stringAttribute("spec") == #"[{"dense":16},"relu",{"dropout":0.1}]"#)
        #expect(try file.intAttribute("steps") == 100)
    }

    /// `spindle eval` of 0.1.0's final model reports what 0.1.0 reported (eval.json).
    @Test func evaluatingAVersionOneModelGivesWhatThatVersionGave() throws {
        let scratch = try TemporaryDirectory()
        let eval = try spindleSucceeds(["eval", Self.fixture("model.h5"), "--json"], in: scratch)
        let ours = try jsonObject(eval.stdoutLines.last ?? "")
        let expected = try jsonObject(try String(contentsOfFile: Self.fixture("eval.json"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(ours["rows"] as? Int == 2000)
        #expect(ours["accuracy"] as? Double == expected["accuracy"] as? Double, "\(ours)")
        let loss = try #require(ours["loss"] as? Double), expectedLoss = try #require(expected["loss"] as? Double)
        #expect(abs(loss - expectedLoss) <= 1e-12 * expectedLoss, "loss \(loss), 0.1.0 gave \(expectedLoss)")
        #expect(ours["confusion"] as? [[Int]] == expected["confusion"] as? [[Int]])
        #expect(ours["classCorrect"] as? [Int] == expected["classCorrect"] as? [Int])
    }

    /// `spindle predict` of 0.1.0's final model gives 0.1.0's probabilities (predictions.h5).
    @Test func predictingWithAVersionOneModelGivesWhatThatVersionGave() throws {
        let scratch = try TemporaryDirectory()
        try spindleSucceeds(["predict", Self.fixture("model.h5"), bundledData, "-o", "out.h5"], in: scratch)
        let file = try H5File.open(scratch.path("out.h5"))
        let original = try H5File.open(Self.fixture("predictions.h5"))
        let probabilities = try file.openDataset("probabilities"), expected = try original.openDataset("probabilities")
        #expect(probabilities.shape == [2000, 10])
        try #require(probabilities.shape == expected.shape, "shape \(probabilities.shape), 0.1.0 wrote \(expected.shape)")
        let a: [Float] = try probabilities.readAll(), b: [Float] = try expected.readAll()
        let largest = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(largest <= 1e-6, "largest difference from 0.1.0's probabilities: \(largest)")
        let labels: [Int64] = try file.openDataset("labels").readAll()
        let expectedLabels: [Int64] = try original.openDataset("labels").readAll()
        #expect(labels == expectedLabels)
    }
}
