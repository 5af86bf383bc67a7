import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// Every `.npy` mistake a user can make gives one line naming the file, what was found and what was expected.
@Suite("NPYReader errors", .enabled(if: ImportFixtures.hasNumpy))
struct NPYReaderErrorTests {
    /// Writes every fixture in one Python run (NumPy start-up costs ~0.4 s a run).
    static let script = """
        import sys, numpy as np
        d = sys.argv[1]
        def save(name, a, **kw): np.save(f'{d}/{name}.npy', a, **kw)
        save('x', np.arange(12, dtype=np.float32).reshape(3, 4))
        save('labels', np.array([0, 1, 2]))
        save('nan', np.array([[0, 1, 2], [3, 4, np.nan]]))
        save('inf', np.array([1.0, 2.0, np.inf], dtype='>f4'))
        save('negative', np.array([0, -1, 2], dtype=np.int8))
        save('two', np.array([0, 1]))
        save('wide', np.zeros((3, 2), dtype=np.int64))
        save('cube', np.zeros((3, 2, 2), dtype=np.float32))
        save('nofeatures', np.zeros((3, 0), dtype=np.float32))
        save('norows', np.zeros((0, 3), dtype=np.float32))
        save('scalar', np.array(5.0))
        save('huge', np.array([1, 2**64 - 1], dtype='<u8'))
        save('big', np.array([1.0, 1e300]))
        save('text', np.array(['abc']))
        save('half', np.zeros(3, dtype=np.float16))
        save('complex', np.zeros(3, dtype=np.complex64))
        save('record', np.zeros(3, dtype=[('a', '<i4'), ('b', '<f4')]))
        save('objects', np.array([None, 1], dtype=object), allow_pickle=True)
        np.savez(f'{d}/archive.npz', x=np.zeros(3))
        raw = open(f'{d}/x.npy', 'rb').read()
        open(f'{d}/cut.npy', 'wb').write(raw[:-5])
        open(f'{d}/v9.npy', 'wb').write(raw[:6] + bytes([9, 0]) + raw[8:])
        open(f'{d}/header.npy', 'wb').write(raw[:10] + raw[10:].replace(b"'shape'", b"'shapes'"))
        open(f'{d}/empty.npy', 'wb').write(b'')
        """

    /// The x and y files handed to `NPYReader.table` (y defaults to the valid labels), the reason,
    /// and the error text after the named file.
    static let cases: [(x: String, y: String, reason: ImportError.Reason, file: String, message: String)] = [
        ("nan", "two", .invalidValue, "nan", " element [1, 2]: nan is not finite (features must be finite)"),
        ("x", "inf", .invalidValue, "inf", " element [2]: inf is not finite (targets must be finite)"),
        ("x", "negative", .invalidValue, "negative", " element [1]: class label -1 is negative (expected 0, 1, 2, …)"),
        ("x", "two", .mismatch, "two", ": has 2 rows but ", ),
        ("x", "wide", .badFormat, "wide", ": int64 targets of shape (3, 2) (expected (N,) or (N, 1) for class labels)"),
        ("x", "cube", .badFormat, "cube", ": float32 targets of shape (3, 2, 2) (expected (N,) or (N, T) for regression)"),
        ("nofeatures", "labels", .empty, "nofeatures", ": shape (3, 0) has no features (expected (N, F) with F > 0)"),
        ("norows", "labels", .empty, "norows", ": shape (0, 3) has no rows (expected at least one)"),
        ("scalar", "labels", .badFormat, "scalar", ": is a 0-d array (expected features with one row per sample)"),
        ("huge", "labels", .invalidValue, "huge", ": element 1 is 18446744073709551615, beyond the int64 range"),
        ("big", "labels", .invalidValue, "big", ": element 1 is 1e+300, beyond the float32 range"),
        ("text", "labels", .unsupported, "text", ": dtype '<U3' is not supported (expected bool, int8…int64"),
        ("half", "labels", .unsupported, "half", ": dtype '<f2' is not supported"),
        ("complex", "labels", .unsupported, "complex", ": dtype '<c8' is not supported"),
        ("record", "labels", .unsupported, "record", ": a structured dtype is not supported"),
        ("objects", "labels", .unsupported, "objects", ": dtype '|O' is not supported"),
        ("archive.npz", "labels", .badFormat, "archive.npz",
         ": not a .npy file (expected the magic \\x93NUMPY; this is a .npz (zip) archive: save each array with numpy.save instead)"),
        ("cut", "labels", .truncated, "cut", ": truncated: found 171 bytes, expected 176 for shape (3, 4) float32"),
        ("v9", "labels", .unsupported, "v9", ": NPY format version 9.0 (expected 1.0, 2.0 or 3.0)"),
        ("header", "labels", .badFormat, "header", ": unreadable NPY header {'descr': '<f4', 'fortran_order': False, 'shapes'"),
        ("empty", "labels", .empty, "empty", ": file is empty (expected the 8-byte NPY magic and version)"),
        ("missing", "labels", .cannotOpen, "missing", ": no such file"),
    ]

    @Test("broken .npy files")
    func broken() throws {
        let dir = try TemporaryDirectory()
        try ImportFixtures.python(Self.script, [dir.url.path])
        let path = { (name: String) in dir.path(name.contains(".") ? name : name + ".npy") }
        for broken in Self.cases {
            ImportFixtures.expectImportError(broken.reason, path(broken.file) + broken.message) {
                _ = try NPYReader.table(x: path(broken.x), y: path(broken.y))
            }
        }
    }
}
