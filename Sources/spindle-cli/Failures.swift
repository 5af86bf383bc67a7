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
        // Divergence is decided from the summed loss, so every rank meets it at the same step.
        if case .diverged = error { fail("\(error)", together: true) }
        fail("\(error)")
    } catch let error as DistributedError {
        if case .notAvailable = error { fail("\(error)") }
        fail("\(error)", together: true)
    } catch let error as HDF5Error {
        fail("\(error)")
    } catch let error as ImportError {
        fail("\(error)")
    } catch let error as TrainingRunError {
        fail("\(error)")
    } catch let error as SpindleCLIError {
        fail("\(error)")
    }
}

/// Prints "spindle: message" to stderr and exits with status 1. Among MPI ranks the other ranks
/// say "spindle (rank k): …", and every rank stops (`World.stop`); an error every rank meets at
/// the same point (`together`) is printed by rank 0 alone.
func fail(_ message: String, together: Bool = false) -> Never {
    if World.isPrimary || !together {
        FileHandle.standardError.write(Data("\(World.messagePrefix): \(message)\n".utf8))
    }
    World.stop(code: 1, together: together)
}

/// Prints a line to stderr (progress and warnings, which must not mix with --json output); among
/// MPI ranks, rank 0 alone does.
func note(_ message: String) {
    guard World.isPrimary else { return }
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}

/// Turns a configuration problem into the parser's validation error, so it is reported before any
/// work starts, in the same shape as the parser's own errors.
func validating(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as SpindleError {
        throw ValidationError(error.description)
    } catch let error as SpindleCLIError {
        throw ValidationError("\(error)")
    }
}

enum BuildInfoVersion {
    static var text: String { BuildInfo.version }
}
