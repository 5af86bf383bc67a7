import Foundation

/// Finds the dataset bundled in the repository's data/ folder, for commands run without a file.
enum BundledData {
    static let fileName = "fashion-mnist-small.h5"

    /// data/fashion-mnist-small.h5 in the current directory or above the executable
    /// (.build/release/spindle sits three levels below the repository root).
    static func path() throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath + "/data/" + fileName]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            directory = executable.deletingLastPathComponent()
        }
        for _ in 0..<6 {
            candidates.append(directory.appendingPathComponent("data/" + fileName).path)
            directory = directory.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            return found
        }
        throw SpindleCLIError("no dataset file given and the bundled data/\(fileName) was not found; " +
                              "pass a file: spindle train DATA.h5")
    }
}

/// A CLI-level mistake, reported in one line.
struct SpindleCLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
