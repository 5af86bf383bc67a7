import Foundation

/// The epoch lines of a `spindle train --log` file, for the readers that plot them
/// (`TrainingCurves`, `GradientCurves`).
enum LogEpochLines {
    /// Each epoch line's JSON object (its "event" is "epoch"), in file order, with its location
    /// for errors ("run.jsonl:3"); blank lines and other events are skipped.
    /// - Throws: `SpindleError.invalidData` for a line that is not a JSON object.
    static func parse(_ text: String, source: String) throws -> [(location: String, object: [String: Any])] {
        var lines: [(location: String, object: [String: Any])] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let location = "\(source):\(index + 1)"
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                throw SpindleError.invalidData(location: location,
                                               problem: "is not JSON; expected one JSON object per line, as `spindle train --log` writes")
            }
            if object["event"] as? String == "epoch" { lines.append((location, object)) }
        }
        return lines
    }
}
