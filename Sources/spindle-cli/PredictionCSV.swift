import Foundation
import Spindle

/// `spindle predict … -o out.csv`: one row per input row under a header, RFC 4180 quoting.
///
///     predicted,probability_<=50K,probability_>50K      a classifier: the argmax class's name
///     >50K,0.1234,0.8766                                 and each class's probability
///     price                                              a regression model: its outputs,
///     123.5                                              named by the target columns
enum PredictionCSV {
    static func classifierHeader(names: [String]?, classes: Int) -> [String] {
        ["predicted"] + (names ?? (0..<classes).map(String.init)).map { "probability_\($0)" }
    }

    /// The target columns' names when the schema has one per output, else output_1, output_2, ….
    static func regressionHeader(schema: TableSchema?, outputs: Int) -> [String] {
        let targets = schema?.columns.filter { $0.kind == .target }.map(\.name) ?? []
        return targets.count == outputs ? targets : (1...outputs).map { "output_\($0)" }
    }

    /// Writes `header` and the rows `produce` hands over in chunks ((rows, C) row-major), to a
    /// temporary file renamed into place once complete.
    /// - Parameter classNames: for a classifier, the name written for each predicted class.
    static func write(to path: String, header: [String], classNames: [String]?, outputs c: Int,
                      _ produce: ((UnsafeBufferPointer<Float>) throws -> Void) throws -> Void) throws {
        try AtomicFile.write(to: path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: nil),
                  let handle = FileHandle(forWritingAtPath: temporary) else {
                throw SpindleError.cannotWrite(path: path, reason: "cannot create the file")
            }
            defer { try? handle.close() }
            try handle.write(contentsOf: Data((header.map(quoted).joined(separator: ",") + "\n").utf8))
            try produce { values in
                var text = ""
                for r in 0..<(values.count / c) {
                    if let classNames { text += quoted(classNames[argmax(values, row: r, width: c)]) + "," }
                    text += (0..<c).map { "\(values[r * c + $0])" }.joined(separator: ",") + "\n"
                }
                try handle.write(contentsOf: Data(text.utf8))
            }
        }
    }

    /// The index of row `row`'s largest value (the first of equal ones).
    static func argmax(_ values: UnsafeBufferPointer<Float>, row: Int, width c: Int) -> Int {
        var best = 0
        for j in 1..<c where values[row * c + j] > values[row * c + best] { best = j }
        return best
    }

    /// A field quoted when it holds a comma, a quote, a line end or surrounding blanks.
    static func quoted(_ field: String) -> String {
        let needs = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.first == " " || field.last == " "
        return needs ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}
