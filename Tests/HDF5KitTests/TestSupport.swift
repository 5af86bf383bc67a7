import Foundation
import Testing

/// A fresh directory under the system's temporary directory, removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("HDF5KitTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }
}

/// The result of running a Python script.
struct PythonResult {
    var status: Int32
    var output: String
    var errorOutput: String
}

/// Runs `python3 -c script arguments…` (h5py and numpy are required) and returns its output.
/// Records an issue, with Python's stderr, if the script fails.
@discardableResult
func runPython(
    _ script: String,
    _ arguments: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> PythonResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Read before waiting, so a chatty script cannot fill the pipe and block.
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let result = PythonResult(
        status: process.terminationStatus,
        output: String(decoding: outputData, as: UTF8.self),
        errorOutput: String(decoding: errorData, as: UTF8.self)
    )
    #expect(result.status == 0, "python3 failed:\n\(result.errorOutput)", sourceLocation: sourceLocation)
    return result
}
