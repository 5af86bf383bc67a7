import Foundation

/// One-line JSON, as `--log` files and `--json` summaries hold it, and the canonical text
/// settings are compared by (resume, rank agreement).
public enum JSONLine {
    /// `object` on one line with sorted keys; nil values are left out and non-finite numbers
    /// become null (JSON has no NaN).
    public static func text(_ object: [String: Any]) -> String {
        let clean = object.compactMapValues { value -> Any? in
            if case Optional<Any>.none = value as Any? { return nil }
            if let d = value as? Double, !d.isFinite { return NSNull() }
            return value
        }
        guard let data = try? JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `value` as a JSON object (dictionaries, arrays, numbers, strings), for embedding in a line.
    public static func object(_ value: some Encodable) -> Any {
        guard let data = try? JSONEncoder().encode(value),
              let object = try? JSONSerialization.jsonObject(with: data) else { return NSNull() }
        return object
    }
}
