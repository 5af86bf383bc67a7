import Spindle

// OpenBLAS reads its settings when it loads, before this line runs: re-execute once with the
// ones Spindle needs (one BLAS thread per caller, the right kernels for this CPU).
BLASEnvironment.relaunchIfNeeded()

SpindleCommand.main()
