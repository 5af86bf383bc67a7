import Foundation
import CHDF5

/// Reads HDF5's error stack into one short message.
///
/// HDF5 records a failure as a stack of entries from the API function (outermost) down to the
/// routine that detected the problem (innermost). The outer entries repeat the operation
/// ("unable to open file"), which `HDF5Error.operation` already says; the innermost says why
/// ("file signature not found"). So the message is the innermost description, followed by its
/// minor error class in parentheses when that adds something ("Not an HDF5 file").
enum HDF5ErrorStack {
    /// One entry of the stack, as far as HDF5Kit uses it.
    private struct Entry {
        var description: String
        var minorID: hid_t
    }

    /// Walks the current thread's error stack, clears it, and returns the summary message.
    /// Call only while holding the HDF5 lock, directly after the failing call.
    static func take() -> String {
        var entries: [Entry] = []
        withUnsafeMutablePointer(to: &entries) { entriesPointer in
            // The callback is a C function pointer and cannot capture, so the array travels
            // through `client_data`.
            _ = H5Ewalk2(chdf5_H5E_DEFAULT(), H5E_WALK_DOWNWARD, { _, error, clientData in
                guard let error, let clientData else { return 0 }
                let description = error.pointee.desc.map { String(cString: $0) } ?? ""
                clientData.assumingMemoryBound(to: [Entry].self).pointee
                    .append(Entry(description: description, minorID: error.pointee.min_num))
                return 0
            }, entriesPointer)
        }
        defer { _ = H5Eclear2(chdf5_H5E_DEFAULT()) }
        guard let innermost = entries.last else {
            return "HDF5 reported a failure but left no error message"
        }
        return summary(description: innermost.description, minor: minorMessage(innermost.minorID))
    }

    /// Shortens one stack entry to what a user can act on.
    ///
    /// File-driver entries embed the operating system's reason as
    /// `"..., errno = 2, error message = 'No such file or directory', flags = ..."`; that reason
    /// alone is the message. Otherwise the description stands, with the minor class appended
    /// unless the description already says it.
    static func summary(description: String, minor: String) -> String {
        let text = oneLine(description)
        if let reason = quoted(after: "error message = '", in: text) {
            return reason
        }
        guard !minor.isEmpty, !text.lowercased().contains(minor.lowercased()) else { return text }
        return text.isEmpty ? minor : "\(text) (\(minor))"
    }

    /// Collapses newlines and runs of whitespace so the message fits on one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The text between `marker` and the next `'`, if `marker` occurs.
    private static func quoted(after marker: String, in text: String) -> String? {
        guard let start = text.range(of: marker)?.upperBound,
              let end = text[start...].firstIndex(of: "'") else { return nil }
        let reason = text[start..<end]
        return reason.isEmpty ? nil : String(reason)
    }

    /// The text of a minor error number such as "Object not found", or "" if it has none.
    private static func minorMessage(_ id: hid_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = H5Eget_msg(id, nil, &buffer, buffer.count)
        guard length > 0 else { return "" }
        return String(decoding: buffer.prefix(min(length, buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
