import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// `.npy` files written by `numpy.save`, read back and compared with the values NumPy itself holds.
@Suite("NPYReader", .enabled(if: ImportFixtures.hasNumpy))
struct NPYReaderTests {
    static let descrs = ["|u1", "|i1", "<i2", ">i2", "<i4", ">i4", "<i8", ">i8", "<u2", ">u2", "<u4", ">u4",
                         "<u8", ">u8", "<f4", ">f4", "<f8", ">f8", "|b1"]

    /// Extremes of each type (min, max, subnormals, -0, NaN) catch byte-order and sign-extension
    /// mistakes. One Python run writes every file: each run costs ~0.4 s of NumPy start-up.
    @Test("every dtype and byte order")
    func everyDtype() throws {
        let dir = try TemporaryDirectory()
        let output = try ImportFixtures.python("""
            import sys, numpy as np
            for descr in sys.argv[2:]:
                d = np.dtype(descr)
                if d.kind == 'f':
                    v = [0, -0.0, 1.5, -3.25, 1e-3, 3.4e38, -1e-40, 0.1, 2, np.nan, np.inf, -5]
                elif d.kind == 'b':
                    v = [0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0]
                else:
                    i = np.iinfo(d)
                    v = [i.min, min(i.max, 2**63 - 1), 0, 1, 2, 3, min(i.max, 2**63 - 1) // 3, 5, 6, 7, 8, 9]
                a = np.array(v, dtype=d).reshape(3, 4)
                np.save(sys.argv[1] + '/' + descr[1:] + descr[0].replace('|', '_') + '.npy', a)
                print(*(np.float32(x).view(np.uint32) if d.kind == 'f' else int(x) for x in a.ravel()))
            """, [dir.url.path] + Self.descrs)
        let references = output.split(separator: "\n").map { $0.split(separator: " ") }
        try #require(references.count == Self.descrs.count)

        for (descr, reference) in zip(Self.descrs, references) {
            let name = String(descr.dropFirst()) + (descr.first == "|" ? "_" : String(descr.first!))
            let array = try NPYReader.read(dir.path(name + ".npy"))
            #expect(array.shape == [3, 4], "\(descr)")
            #expect(array.shapeDescription == "(3, 4)")
            #expect(array.dtype.isBigEndian == descr.hasPrefix(">"), "\(descr)")
            switch array.values {
            case .uint8(let values):
                #expect(descr == "|u1" || descr == "|b1", "\(descr)")
                #expect(values.map(Int64.init) == reference.map { Int64($0)! }, "\(descr)")
            case .int64(let values):
                #expect(descr.contains("i") || descr.contains("u"), "\(descr)")
                #expect(values == reference.map { Int64($0)! }, "\(descr)")
            case .float32(let values):
                #expect(descr.contains("f"), "\(descr)")
                #expect(values.map(\.bitPattern) == reference.map { UInt32($0)! }, "\(descr)")
            }
        }
    }

    @Test("format versions 1, 2 and 3, and Fortran order")
    func versionsAndFortranOrder() throws {
        let dir = try TemporaryDirectory()
        try ImportFixtures.python("""
            import sys, numpy as np
            a = np.asfortranarray(np.arange(24, dtype='<i4').reshape(2, 3, 4))
            for major in (1, 2, 3):
                with open(f'{sys.argv[1]}/v{major}.npy', 'wb') as f:
                    np.lib.format.write_array(f, a, version=(major, 0))
            """, [dir.url.path])
        for major in 1 ... 3 {
            let array = try NPYReader.read(dir.path("v\(major).npy"))
            #expect(array.shape == [2, 3, 4])
            guard case .int64(let values) = array.values else {
                Issue.record("expected int64 values")
                return
            }
            #expect(values == Array(0 ..< 24), "version \(major)")
        }
    }

    @Test("tables from (N, H, W) uint8 images, float features and targets")
    func tables() throws {
        let dir = try TemporaryDirectory()
        try ImportFixtures.python("""
            import sys, numpy as np
            d = sys.argv[1]
            np.save(d + '/img.npy', np.arange(24, dtype=np.uint8).reshape(4, 2, 3))
            np.save(d + '/lab.npy', np.array([3, 0, 1, 2], dtype='>i8'))
            np.save(d + '/f8.npy', np.array([[0.5, 1], [2, 3], [4, 5], [6, -7]]))
            np.save(d + '/reg.npy', np.array([[1, 2], [3, 4], [5, 6], [7, 8]], dtype=np.float32))
            np.save(d + '/i2.npy', np.array([-1, 0, 1, 300], dtype='<i2'))
            np.save(d + '/b.npy', np.array([True, False, True, True]))
            np.save(d + '/col.npy', np.array([[1], [0], [1], [4]], dtype=np.uint16))
            """, [dir.url.path])

        let images = try NPYReader.table(x: dir.path("img.npy"), y: dir.path("lab.npy"))
        #expect(images.rows == 4 && images.featureCount == 6)
        #expect(ImportFixtures.bytes(images) == Array(0 ..< 24))
        #expect(ImportFixtures.labels(images) == [3, 0, 1, 2])

        let regression = try NPYReader.table(x: dir.path("f8.npy"), y: dir.path("reg.npy"))
        #expect(regression.featureCount == 2)
        #expect(ImportFixtures.floats(regression) == [0.5, 1, 2, 3, 4, 5, 6, -7])
        #expect(ImportFixtures.values(regression)?.values == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(ImportFixtures.values(regression)?.width == 2)

        let vector = try NPYReader.table(x: dir.path("i2.npy"), y: dir.path("b.npy"))
        #expect(vector.featureCount == 1)
        #expect(ImportFixtures.floats(vector) == [-1, 0, 1, 300])
        #expect(ImportFixtures.labels(vector) == [1, 0, 1, 1])

        // bool features are 0 / 1 values, not pixels: float32, never uint8.
        let flags = try NPYReader.table(x: dir.path("b.npy"), y: dir.path("col.npy"))
        #expect(ImportFixtures.floats(flags) == [1, 0, 1, 1])
        #expect(ImportFixtures.labels(flags) == [1, 0, 1, 4])
    }
}
