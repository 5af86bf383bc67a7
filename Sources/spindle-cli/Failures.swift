import ArgumentParser
import Foundation
import HDF5Kit
import Spindle

/// Runs a command's work, turning the errors a user can fix into one line on stderr and exit
/// status 1 — no stack trace, no usage dump (DESIGN.md contract 5).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as SpindleError {
        fail("\(error)")
    } catch let error as HDF5Error {
        fail("\(error)")
    } catch let error as ImportError {
        fail("\(error)")
    } catch let error as SpindleCLIError {
        fail("\(error)")
    }
}

/// Prints "spindle: message" to stderr and exits with status 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("spindle: \(message)\n".utf8))
    Foundation.exit(1)
}

/// Prints a line to stderr (progress and warnings, which must not mix with --json output).
func note(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}

/// Turns a configuration problem into the parser's validation error, so it is reported before any
/// work starts, in the same shape as the parser's own errors.
func validating(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as SpindleError {
        throw ValidationError(error.description)
    }
}

enum BuildInfoVersion {
    static var text: String { BuildInfo.version }
}
