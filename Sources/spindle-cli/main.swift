import Foundation
import Spindle

// OpenBLAS reads its settings when it loads, before this line runs: re-execute once with the
// ones Spindle needs (one BLAS thread per caller, the right kernels for this CPU).
BLASEnvironment.relaunchIfNeeded()

// A file-size limit (ulimit -f) should fail a write with a clear error (EFBIG), not kill the
// process with SIGXFSZ halfway through a checkpoint.
signal(SIGXFSZ, SIG_IGN)

// `train --config FILE` becomes the file's options followed by the command line's (which win).
SpindleCommand.main(ConfigFile.expand(Array(CommandLine.arguments.dropFirst())))
