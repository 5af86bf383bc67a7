import Foundation
import SpindleTestSupport
import Testing

/// HDF5 storage that users' files have: float16 features, and a compression filter this HDF5
/// library lacks (h5py's LZF), which must fail with one line saying how to fix the file.
@Suite struct StorageInteropTests {
    /// float16 features train to the same bits as the same values stored as float32: every value
    /// is a multiple of 1/16 within ±8, exact in both types, and float16 is converted on reading.
    @Test func float16FeaturesTrainLikeFloat32() throws {
        let scratch = try TemporaryDirectory()
        try python("""
            rng = np.random.default_rng(5)
            def split(n):
                y = np.arange(n) % 3
                centers = np.array([[2, 0, -2, 0], [-2, 2, 0, 0], [0, -2, 2, 1]], dtype=np.float64)
                x = np.round((centers[y] + rng.uniform(-1, 1, size=(n, 4))) * 16) / 16
                return x, y
            train, test = split(240), split(60)
            for name, dtype in (("f16.h5", np.float16), ("f32.h5", np.float32)):
                with h5py.File(name, "w") as f:
                    for split_name, (x, y) in (("train", train), ("test", test)):
                        f.create_dataset(f"{split_name}/x", data=x.astype(dtype), chunks=(32, 4))
                        f[f"{split_name}/y"] = y
            with h5py.File("f16.h5", "r") as f:
                assert f["train/x"].dtype == np.float16
            """, in: scratch)
        var summaries: [[String: Any]] = []
        for file in ["f16.h5", "f32.h5"] {
            let train = try spindleSucceeds(["train", file, "--json", "--layers", "16", "--epochs", "6",
                                             "--lr", "0.01", "--batch-size", "32"], in: scratch)
            summaries.append(try jsonObject(train.stdoutLines.last ?? ""))
        }
        #expect((summaries[0]["test_accuracy"] as? Double ?? 0) > 0.9, "\(summaries[0])")
        for key in ["train_loss", "test_loss", "test_accuracy"] {
            #expect(summaries[0][key] as? Double == summaries[1][key] as? Double, "\(key)")
        }
    }

    /// h5py writes LZF (filter 32000) with its own copy of the filter; this HDF5 has none, and
    /// the user gets the filter and the h5repack command, not HDF5's plugin-path complaint.
    @Test func aFilterThisHDF5LacksIsNamedWithTheFix() throws {
        let scratch = try TemporaryDirectory()
        try python("""
            x = np.arange(400, dtype=np.float32).reshape(100, 4)
            with h5py.File("lzf.h5", "w") as f:
                f.create_dataset("train/x", data=x, chunks=(50, 4), compression="lzf")
                f["train/y"] = np.arange(100) % 2
            with h5py.File("lzf.h5", "r") as f:
                assert f["train/x"].compression == "lzf"
            """, in: scratch)
        let before = scratch.snapshot()
        for command in [["train", "lzf.h5", "--epochs", "1", "--checkpoint-dir", "run"],
                        ["scale", "lzf.h5", "--workers", "1", "--steps", "2"]] {
            let result = try spindle(command, in: scratch)
            #expect(result.status == 1, "\(result.transcript)")
            #expect(result.stderrLines == [
                "spindle: lzf.h5:/train/x: is compressed with the lzf filter (id 32000), which this HDF5 library "
                    + "lacks; rewrite the file with a built-in filter: h5repack -f GZIP=1 in.h5 out.h5",
            ], "\(result.transcript)")
        }
        #expect(scratch.snapshot() == before, "nothing written")
    }
}
