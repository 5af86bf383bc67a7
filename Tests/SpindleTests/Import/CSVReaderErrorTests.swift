import Foundation
import Spindle
import SpindleTestSupport
import Testing

/// Every CSV mistake a user can make gives one line naming the file, line, column and the problem.
@Suite("CSVReader errors")
struct CSVReaderErrorTests {
    /// A bad CSV text, options, and the expected reason and error text after "data.csv".
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var text: String
        var options = CSVOptions()
        var reason: ImportError.Reason
        var message: String
    }

    static let cases: [Case] = [
        Case(description: "not a number", text: "x1,x2,y\n1,2,0\n3,abc,1\n", reason: .invalidValue,
             message: " line 3, column 2 (x2): 'abc' is not a number"),
        Case(description: "NaN feature", text: "1,nan,0\n", reason: .invalidValue,
             message: " line 1, column 2: 'nan' is not a finite float32 (features must be finite)"),
        Case(description: "Inf feature", text: "1,2,0\n-inf,2,1\n", reason: .invalidValue,
             message: " line 2, column 1: '-inf' is not a finite float32 (features must be finite)"),
        Case(description: "float32 overflow", text: "1e39,2,0\n", reason: .invalidValue,
             message: " line 1, column 1: '1e39' is not a finite float32"),
        Case(description: "NaN target", text: "1,2,NaN\n", options: CSVOptions(targets: .regression(count: 1)),
             reason: .invalidValue, message: " line 1, column 3: 'NaN' is not a finite float32 (targets must be finite)"),
        Case(description: "empty field", text: "1,2,0\n1,,0\n", reason: .invalidValue,
             message: " line 2, column 2: empty field (expected a number)"),
        Case(description: "ragged row", text: "a,b,y\n1,2,0\n\n1,2\n", reason: .mismatch,
             message: " line 4: 2 fields, expected 3 like the first row"),
        Case(description: "negative label", text: "1,2,-1\n", reason: .invalidValue,
             message: " line 1, column 3: class label -1 is negative (expected 0, 1, 2, …)"),
        Case(description: "fractional label", text: "1,2,2.5\n", reason: .invalidValue,
             message: " line 1, column 3: '2.5' is not an integer class label (expected 0, 1, 2, …)"),
        Case(description: "text label", text: "1,2,0\n1,2,cat\n", reason: .invalidValue,
             message: " line 2, column 3: 'cat' is not an integer class label (expected 0, 1, 2, …; use class-name targets for text labels)"),
        Case(description: "empty class name", text: "1,2,a\n1,2,\"\"\n", options: CSVOptions(targets: .classNames),
             reason: .invalidValue, message: " line 2, column 3: empty class name"),
        Case(description: "unknown class name", text: "1,2,a\n1,2,c\n",
             options: CSVOptions(targets: .classNames, knownClassNames: ["a", "b"]), reason: .invalidValue,
             message: " line 2, column 3: class 'c' is not one of the 2 known classes ('a', 'b')"),
        Case(description: "uint8 out of range", text: "p,q,y\n1,256,0\n", options: CSVOptions(featureType: .uint8),
             reason: .invalidValue, message: " line 2, column 2 (q): '256' is not an integer 0...255 (expected uint8 features)"),
        Case(description: "header only", text: "a,b,y\n", reason: .empty,
             message: ": no data rows after the header (expected at least one)"),
        Case(description: "empty file", text: "", reason: .empty, message: ": file is empty (expected rows of numbers)"),
        Case(description: "blank lines only", text: "\n \r\n\n", reason: .empty, message: ": file is empty"),
        Case(description: "unknown column name", text: "a,b,y\n1,2,0\n", options: CSVOptions(labelColumn: "label"),
             reason: .badOption, message: " line 1: no column named 'label' in the header (found 'a', 'b', 'y')"),
        Case(description: "column out of range", text: "1,2,0\n", options: CSVOptions(labelColumn: 3), reason: .badOption,
             message: " line 1: label column 3 is outside the 3 columns (expected an index from -3 to 2)"),
        Case(description: "too many targets", text: "1,2,0\n", options: CSVOptions(targets: .regression(count: 3)),
             reason: .badOption, message: ": all 3 columns are targets (expected at least one feature column)"),
        Case(description: "zero targets", text: "1,2,0\n", options: CSVOptions(targets: .regression(count: 0)),
             reason: .badOption, message: ": regression with 0 target columns (expected at least 1)"),
        Case(description: "named label without header", text: "1,2,0\n",
             options: CSVOptions(header: .absent, labelColumn: "y"), reason: .badOption,
             message: ": label column 'y' is given by name but the file is read without a header"),
        Case(description: "digit separator", text: "1,2,0\n", options: CSVOptions(separator: "1"), reason: .badOption,
             message: ": separator \"1\" cannot separate numbers"),
        Case(description: "unterminated quote", text: "1,2,0\n1,\"2,0\n", reason: .badFormat,
             message: " line 2, column 2: quoted field never ends (expected a closing '\"')"),
        Case(description: "text after quote", text: "1,\"2\"x,0\n", reason: .badFormat,
             message: " line 1, column 2: text after a closing quote"),
    ]

    @Test("broken CSV files", arguments: cases)
    func broken(_ broken: Case) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("data.csv", text: broken.text)
        ImportFixtures.expectImportError(broken.reason, path + broken.message) {
            _ = try CSVReader.read(path, options: broken.options)
        }
    }

    @Test("a missing file is named plainly")
    func missing() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("data.csv")
        ImportFixtures.expectImportError(.cannotOpen, "\(path): no such file") {
            _ = try CSVReader.read(path, options: CSVOptions())
        }
    }
}
