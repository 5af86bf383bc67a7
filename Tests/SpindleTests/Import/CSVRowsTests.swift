import Foundation
import HDF5Kit
import Spindle
import SpindleTestSupport
import Testing

/// `CSVRows`, a raw CSV read through a stored schema (what `predict` and `eval` take): the same
/// features the import wrote for the same rows, columns matched by header name in any order,
/// the label optional, chunks of any size, and a missing column named.
struct CSVRowsTests {
    static let test = "age,workclass,hours,income\n31,Never-worked,40,<=50K\n45,Private,N/A,>50K\n28,\"Self, emp\",,<=50K\n"

    static func schema(_ directory: TemporaryDirectory) throws -> (TableSchema, [Float], [Int64]) {
        let imported = try CSVTableImporterTests.importing(
            CSVTableImporterTests.people, test: test, TableImportOptions(csv: CSVOptions(labelColumn: "income")), in: directory)
        #expect(imported.schema.header == true && imported.schema.delimiter == ",")
        return (imported.schema, imported.testX, imported.testY)
    }

    /// Every row's features and label, in file order, read `chunk` rows at a time.
    static func read(_ rows: CSVRows, chunk: Int) throws -> (x: [Float], y: [Int32]) {
        var x: [Float] = [], y: [Int32] = []
        try rows.forEachChunk(rows: chunk) { batch in
            let f = rows.featureCount
            var features = [Float](repeating: 0, count: batch.count * f)
            var labels = [Int32](repeating: 0, count: batch.count)
            try features.withUnsafeMutableBufferPointer { xb in
                try labels.withUnsafeMutableBufferPointer { lb in
                    try batch.gather(rows: 0..<batch.count, into: xb, labels: rows.hasLabels ? lb : nil)
                }
            }
            x += features
            y += labels
        }
        return (x, y)
    }

    @Test(arguments: [1, 2, 1024])
    func rowsAreEncodedAsTheImportEncodedThem(chunk: Int) throws {
        let directory = try TemporaryDirectory()
        let (schema, testX, testY) = try Self.schema(directory)
        let labelled = try CSVRows(path: try directory.write("labelled.csv", text: Self.test), schema: schema, requireTargets: true)
        #expect(labelled.rows == 3 && labelled.hasLabels && labelled.labelBound == 2)
        let read = try Self.read(labelled, chunk: chunk)
        #expect(read.x == testX && read.y == testY.map { Int32($0) })
        #expect(labelled.warnings == ["\(directory.path("labelled.csv")): column 'workclass': 1 value not among the training " +
            "categories mapped to '<other>' (e.g. 'Never-worked')"])

        // Reordered, an extra column, no label: the same features.
        let raw = "hours,id,workclass,age\n40,a,Never-worked,31\nN/A,b,Private,45\n,c,\"Self, emp\",28\n"
        let unlabelled = try CSVRows(path: try directory.write("raw.csv", text: raw), schema: schema, requireTargets: false)
        #expect(!unlabelled.hasTargets && !unlabelled.hasLabels && unlabelled.labelBound == nil)
        #expect(try Self.read(unlabelled, chunk: chunk).x == testX)
    }

    @Test func aMissingColumnOrRaggedRowIsNamed() throws {
        let directory = try TemporaryDirectory()
        let (schema, _, _) = try Self.schema(directory)
        func error(_ text: String, requireTargets: Bool = false) throws -> String? {
            let path = try directory.write("bad.csv", text: text)
            return #expect(throws: ImportError.self) { try CSVRows(path: path, schema: schema, requireTargets: requireTargets) }?
                .description.replacingOccurrences(of: path, with: "bad.csv")
        }
        #expect(try error("age,workclass\n1,Private\n") ==
                "bad.csv line 1: no column 'hours', which the model needs, in the header (found 'age', 'workclass')")
        #expect(try error("age,workclass,hours\n1,Private,3\n", requireTargets: true) ==
                "bad.csv line 1: no column 'income' (the model's target, which evaluation needs) in the header " +
                "(found 'age', 'workclass', 'hours')")
        #expect(try error("age,workclass,hours\n1,Private,3\n2,Private\n") == "bad.csv line 3: 2 fields, expected 3 like the first row")
        #expect(try error("age,workclass,hours\n1,Private,abc\n") ==
                "bad.csv line 2, column 3 (hours): 'abc' is not a number (the column is numeric in training)")
        #expect(try error("age,workclass,hours\n") == "bad.csv: no data rows (expected a table with the training file's columns)")
    }
}
