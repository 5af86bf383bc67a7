import Foundation
import Spindle

/// Reads a `--model` value: the grammar's text, a JSON layer list, or `@file.json` holding one.
enum ModelSpecFile {
    static func layers(_ value: String) throws -> [LayerSpec] {
        let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SpindleCLIError("cannot read --model file '\(path)': \(String(cString: strerror(errno)))")
            }
            return try decode(data, source: path)
        }
        if text.hasPrefix("[") { return try decode(Data(text.utf8), source: "--model") }
        return try ModelSpecParser.parse(text)
    }

    /// A JSON layer list, with the layer that is wrong named.
    private static func decode(_ data: Data, source: String) throws -> [LayerSpec] {
        do {
            return try JSONDecoder().decode([LayerSpec].self, from: data)
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            let index = context.codingPath.first?.intValue.map { "layer \($0 + 1)" } ?? "a layer"
            throw SpindleCLIError("\(source): \(index): \(context.debugDescription)")
        } catch is DecodingError {
            throw SpindleCLIError("\(source): not a layer list; expected JSON such as [{\"dense\": 512}, \"relu\", {\"dropout\": 0.2}]")
        }
    }
}
