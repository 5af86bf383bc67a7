import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// CSV files written here, with the values they must give typed out by hand.
@Suite("CSVReader")
struct CSVReaderTests {
    /// A CSV text, options, and the expected (N, F) features and labels.
    struct ClassificationCase: Sendable, CustomStringConvertible {
        var description: String
        var text: String
        var options = CSVOptions()
        var featureCount = 2
        var features: [Float] = [1, 2, 3.5, -4]
        var labels: [Int64] = [0, 2]
    }

    static let classificationCases: [ClassificationCase] = [
        ClassificationCase(description: "header detected", text: "a,b,label\n1,2,0\n3.5,-4,2\n"),
        ClassificationCase(description: "no header", text: "1,2,0\n3.5,-4,2"),
        ClassificationCase(description: "header forced on numeric names",
                           text: "10,20,30\n1,2,0\n3.5,-4,2\n", options: CSVOptions(header: .present)),
        ClassificationCase(description: "semicolons", text: "a;b;y\n1;2;0\n3.5;-4;2\n", options: CSVOptions(separator: ";")),
        ClassificationCase(description: "tabs", text: "1\t2\t0\n3.5\t-4\t2\n", options: CSVOptions(separator: "\t")),
        ClassificationCase(description: "label first", text: "y,a,b\n0,1,2\n2,3.5,-4\n", options: CSVOptions(labelColumn: 0)),
        ClassificationCase(description: "label by name in the middle",
                           text: "a,y,b\n1,0,2\n3.5,2,-4\n", options: CSVOptions(labelColumn: "y")),
        ClassificationCase(description: "label -2", text: "1,0,2\n3.5,2,-4\n", options: CSVOptions(labelColumn: -2)),
        ClassificationCase(description: "CRLF, BOM, blank lines, padding, quotes",
                           text: "\u{FEFF}\"a\", \"b\" ,label\r\n\r\n 1 ,\"2\",0\r\n3.5e0,-4.0, 2.0 \r\n\r\n"),
        ClassificationCase(description: "quoted header with separator, newline and escaped quote",
                           text: "\"a,\n\"\"x\"\"\",b,label\n1,2,0\n3.5,-4,2\n"),
        ClassificationCase(description: "exponents and signs", text: "1e0,+2,0\n0.35E1,-4e+0,2\n",
                           features: [1, 2, 3.5, -4]),
    ]

    @Test("classification layouts", arguments: classificationCases)
    func classification(_ example: ClassificationCase) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("data.csv", text: example.text)
        let (table, names) = try CSVReader.read(path, options: example.options)
        #expect(names == nil)
        #expect(table.rows == example.labels.count)
        #expect(table.featureCount == example.featureCount)
        #expect(ImportFixtures.floats(table) == example.features)
        #expect(ImportFixtures.labels(table) == example.labels)
    }

    @Test("class names map to 0..C-1 in sorted order, quoted or not")
    func classNames() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("iris.csv", text: """
            5.1,3.5,setosa
            7.0,3.2,"versi,color"
            6.3,3.3,virginica
            4.9,3.0,setosa
            """)
        let (table, names) = try CSVReader.read(path, options: CSVOptions(targets: .classNames))
        #expect(names == ["setosa", "versi,color", "virginica"])
        #expect(ImportFixtures.labels(table) == [0, 1, 2, 0])
        #expect(ImportFixtures.floats(table) == [5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0])
    }

    @Test("a test file maps class names into the training file's classes")
    func knownClassNames() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("test.csv", text: "1,virginica\n2,setosa\n")
        let known = ["setosa", "versicolor", "virginica"]
        let (table, names) = try CSVReader.read(path, options: CSVOptions(targets: .classNames, knownClassNames: known))
        #expect(names == known)
        #expect(ImportFixtures.labels(table) == [2, 0])
    }

    @Test("regression target blocks", arguments: [
        (CSVOptions.Column.index(-1), [Float](arrayLiteral: 1, 2, 4, 5), [Float](arrayLiteral: 3, 0.5, 6, -1)),
        (.index(0), [3, 0.5, 6, -1], [1, 2, 4, 5]),
        (.name("b"), [1, 0.5, 4, -1], [2, 3, 5, 6]),
    ])
    func regression(column: CSVOptions.Column, features: [Float], targets: [Float]) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("r.csv", text: "a,b,c,d\n1,2,3,0.5\n4,5,6,-1\n")
        let (table, _) = try CSVReader.read(path, options: CSVOptions(labelColumn: column, targets: .regression(count: 2)))
        #expect(table.featureCount == 2)
        #expect(ImportFixtures.floats(table) == features)
        #expect(ImportFixtures.values(table)?.values == targets)
        #expect(ImportFixtures.values(table)?.width == 2)
    }

    @Test("uint8 features from a gzip-compressed pixel CSV")
    func uint8Pixels() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.writeGzip("pixels.csv", bytes: Array("label,p0,p1,p2\n7,0,128,255\n1,3,2,1\n".utf8))
        let (table, _) = try CSVReader.read(path, options: CSVOptions(labelColumn: 0, featureType: .uint8))
        #expect(ImportFixtures.bytes(table) == [0, 128, 255, 3, 2, 1])
        #expect(ImportFixtures.labels(table) == [7, 1])
    }

    /// NumPy parses the same file: an independent check of number parsing (rounding to float32).
    @Test("numbers parse like NumPy's float32", .enabled(if: ImportFixtures.hasNumpy))
    func matchesNumpy() throws {
        let dir = try TemporaryDirectory()
        let numbers = ["0.1", "-2.5e-3", "3.4028234e38", "1e-45", "123456789", "0.333333333333", "-0", "7",
                       "1234567890123456789012"]
        let path = try dir.write("n.csv", text: numbers.joined(separator: ",") + ",1\n")
        let (table, _) = try CSVReader.read(path, options: CSVOptions())
        let reference = try ImportFixtures.python("""
            import sys, numpy as np
            for v in np.loadtxt(sys.argv[1], delimiter=',', dtype=np.float32)[:-1]: print(v.view(np.uint32))
            """, [path]).split(separator: "\n").map { UInt32($0)! }
        #expect(ImportFixtures.floats(table)?.map(\.bitPattern) == reference)
    }
}
