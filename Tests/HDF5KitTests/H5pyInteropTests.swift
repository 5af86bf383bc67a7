import Foundation
import HDF5Kit
import SpindleTestSupport
import Testing

/// Files written by h5py (default settings) open in HDF5Kit, and files HDF5Kit writes read
/// back in h5py with the types a Python user expects. Requires python3 with h5py and numpy.
@Suite struct H5pyInteropTests {
    @Test func readsWhatH5pyWrites() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("from_h5py.h5")
        try expectPython("""
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "w") as f:
                f["train/x"] = (np.arange(10 * 4) % 256).astype(np.uint8).reshape(10, 4)
                f["train/y"] = np.arange(10, dtype=np.int64) % 3
                f["big_endian"] = np.array([1.5, -2.0, 3.25], dtype=">f4")
                f.create_dataset("chunked", data=np.arange(1000, dtype=np.float64),
                                 chunks=(100,), compression="gzip", shuffle=True, fletcher32=True)
                f["labels_text"] = ["zero", "one"]
                f["flags"] = np.array([True, False])
                f.attrs["description"] = "MNIST, scaled ✓"
                f.attrs["version"] = 3
                f.attrs["scale"] = 1 / 255
                f.attrs["class_names"] = ["zero", "one", "two"]
                f.attrs["layer_names"] = np.array([b"dense_1", b"dense_22"])
                f["train"].attrs["rows"] = np.int32(10)
            """, [path])

        #expect(HDF5.isHDF5(path: path))
        let file = try H5File.open(path)
        let x = try file.openDataset("/train/x")
        #expect(x.elementType == .uint8)
        #expect(x.shape == [10, 4])
        let pixels: [UInt8] = try x.read(rows: 2..<4)
        #expect(pixels == (8..<16).map { UInt8($0) })
        let labels: [Int] = try file.openDataset("train/y").readAll()
        #expect(labels == (0..<10).map { $0 % 3 })

        let bigEndian = try file.openDataset("big_endian")
        #expect(bigEndian.elementType == .float32)
        let converted: [Float] = try bigEndian.readAll()
        #expect(converted == [1.5, -2.0, 3.25])
        var raw = [Float](repeating: 0, count: 3)
        try raw.withUnsafeMutableBytes { try bigEndian.readRaw(rows: 0..<3, into: $0) }
        #expect(raw == [1.5, -2.0, 3.25])

        let chunked = try file.openDataset("chunked", chunkCacheBytes: 4 << 20)
        #expect(chunked.chunkShape == [100])
        #expect(chunked.filters == ["shuffle", "deflate", "fletcher32"])
        let ramp: [Double] = try chunked.read(rows: 950..<1000)
        #expect(ramp == (950..<1000).map { Double($0) })

        #expect(try file.stringAttribute("description") == "MNIST, scaled ✓")
        #expect(try file.intAttribute("version") == 3)
        #expect(try file.doubleAttribute("scale") == 1.0 / 255)
        #expect(try file.stringArrayAttribute("class_names") == ["zero", "one", "two"])
        #expect(try file.stringArrayAttribute("layer_names") == ["dense_1", "dense_22"])
        #expect(try file.openGroup("train").intAttribute("rows") == 10)

        let text = try #require(throws: HDF5Error.self) { try file.openDataset("labels_text") }
        #expect(text.description.contains("'\(path):/labels_text'"))
        #expect(text.message.contains("found variable-length string"))
        let flags = try #require(throws: HDF5Error.self) { try file.openDataset("flags") }
        #expect(flags.message.contains("found enum"))
    }

    @Test func h5pyReadsWhatHDF5KitWrites() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("from_hdf5kit.h5")
        do {
            let file = try H5File.create(path)
            let x = try file.createDataset(
                "train/x", type: .uint8, shape: [300, 5], chunkShape: [128, 5],
                gzipLevel: 6, shuffle: true, fletcher32: true)
            try x.write((0..<1500).map { UInt8($0 % 251) })
            try file.createDataset("train/y", type: .int64, shape: [300]).write((0..<300).map { $0 % 10 })
            try file.createDataset("model/w", type: .float32, shape: [2, 3]).write([1, 2, 3, 4, 5, 6] as [Float])
            try file.setAttribute("format_version", 1)
            try file.setAttribute("config", #"{"lr": 0.1}"#)
            try file.setAttribute("lr", 0.1)
            try file.setAttribute("layers", [512, 256])
            try file.setAttribute("moments", [0.9, 0.999])
            try file.setAttribute("names", ["dense", "relu ✓"])
            try file.setAttribute("layer_names", ["dense_1", "dense_2"], fixedLength: true)
            try file.setAttribute("keras_version", "2.1.6", fixedLength: true)
            try file.close()
        }

        let result = try expectPython("""
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "r") as f:
                x = f["train/x"]
                assert x.dtype == np.uint8 and x.shape == (300, 5), (x.dtype, x.shape)
                assert x.chunks == (128, 5) and x.compression == "gzip" and x.compression_opts == 6
                assert x.shuffle and x.fletcher32
                assert (x[:].ravel() == np.arange(1500) % 251).all()
                y = f["train/y"]
                assert y.dtype == np.int64 and (y[:] == np.arange(300) % 10).all()
                w = f["model/w"]
                assert w.dtype == np.float32 and w[:].tolist() == [[1, 2, 3], [4, 5, 6]]
                a = f.attrs
                assert a["format_version"] == 1 and a["format_version"].dtype == np.int64
                assert isinstance(a["config"], str) and a["config"] == '{"lr": 0.1}', repr(a["config"])
                assert a["lr"] == 0.1
                assert a["layers"].tolist() == [512, 256]
                assert a["moments"].tolist() == [0.9, 0.999]
                assert list(a["names"]) == ["dense", "relu ✓"], repr(a["names"])
                assert a["layer_names"].dtype.kind == "S", a["layer_names"].dtype
                assert [n.decode("utf8") for n in a["layer_names"]] == ["dense_1", "dense_2"]
                assert a["keras_version"] == b"2.1.6", repr(a["keras_version"])
            print("ok")
            """, [path])
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }
}
