import Foundation
import Testing

/// A process's exit status and what it printed.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Non-empty lines of stdout.
    public var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
    /// Non-empty lines of stderr.
    public var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    /// For failure messages.
    public var transcript: String { "exit status \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// A program started in the background, its stdout and stderr going to files outside its
/// working directory: a chatty program cannot block on a full pipe, and the directory holds only
/// what it wrote. The one process runner of every test target (`runProcess` runs one to its end).
public final class RunningProcess: @unchecked Sendable {
    public let process = Process()
    public let started = Date()
    private let captures: URL

    /// - Parameters:
    ///   - directory: the working directory (default: the test's).
    ///   - environment: replaces the inherited environment when given.
    public init(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                environment: [String: String]? = nil) throws {
        captures = FileManager.default.temporaryDirectory
            .appendingPathComponent("SpindleTests-output-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: captures, withIntermediateDirectories: true)
        for name in ["stdout", "stderr"] {
            _ = FileManager.default.createFile(atPath: captures.appendingPathComponent(name).path, contents: nil)
        }
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: captures.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: captures.appendingPathComponent("stderr"))
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: captures)
    }

    /// The command line, for messages.
    public var command: String {
        ([process.executableURL?.lastPathComponent ?? "?"] + (process.arguments ?? [])).joined(separator: " ")
    }

    public func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// The result, or nil if it is still running after `timeout` seconds.
    public func wait(timeout: Double) -> ProcessResult? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return result()
    }

    /// Stops it (SIGTERM, then SIGKILL after 5 s) and returns what it printed.
    public func stop() -> ProcessResult {
        signal(SIGTERM)
        if wait(timeout: 5) == nil { signal(SIGKILL) }
        process.waitUntilExit()
        return result()
    }

    /// Waits for it to end and returns what it printed; records an issue at the caller's line,
    /// and stops it, if it runs longer than `timeout` seconds.
    public func finish(timeout: Double = 120, sourceLocation: SourceLocation = #_sourceLocation) -> ProcessResult {
        if let done = wait(timeout: timeout) { return done }
        Issue.record("\(command) ran longer than \(Int(timeout)) s and was stopped", sourceLocation: sourceLocation)
        return stop()
    }

    private func result() -> ProcessResult {
        func read(_ name: String) -> String {
            String(decoding: (try? Data(contentsOf: captures.appendingPathComponent(name))) ?? Data(), as: UTF8.self)
        }
        return ProcessResult(status: process.terminationStatus, stdout: read("stdout"), stderr: read("stderr"))
    }
}

/// Runs a program to completion (see `RunningProcess`); records an issue at the caller's line if
/// it runs longer than `timeout` seconds.
public func runProcess(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                       environment: [String: String]? = nil, timeout: Double = 120,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    try RunningProcess(executable, arguments, in: directory, environment: environment)
        .finish(timeout: timeout, sourceLocation: sourceLocation)
}

/// Runs `python3 -c script arguments…` (through /usr/bin/env, so PATH decides which python3).
public func runPython(_ script: String, _ arguments: [String] = [], in directory: URL? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + arguments,
                   in: directory, sourceLocation: sourceLocation)
}

/// As `runPython`, and records an issue at the caller's line, with Python's stderr, unless the
/// script succeeds.
@discardableResult
public func expectPython(_ script: String, _ arguments: [String] = [], in directory: URL? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    let result = try runPython(script, arguments, in: directory, sourceLocation: sourceLocation)
    #expect(result.status == 0, "python3 failed:\n\(result.stderr)", sourceLocation: sourceLocation)
    return result
}
