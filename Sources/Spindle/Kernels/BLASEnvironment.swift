import Foundation
#if !canImport(Accelerate)
import CBLAS
#endif

/// Environment settings OpenBLAS only reads when it loads — before any Swift code runs — so an
/// executable applies them by re-executing itself once (`relaunchIfNeeded`).
///
/// - OPENBLAS_NUM_THREADS=1: otherwise OpenBLAS starts a thread pool at load time that busy-waits
///   beside Spindle's own workers (DESIGN.md contract 7).
/// - OPENBLAS_CORETYPE: OpenBLAS 0.3.21's DYNAMIC_ARCH detection does not know recent CPU models and
///   falls back to its Prescott (SSE3) kernels, about 7× slower than the AVX-512 ones on the same
///   machine (measured: 14 vs 100+ GFLOP/s for sgemm on a virtualised Xeon with AVX-512). When the
///   CPU has AVX-512 or AVX2+FMA but OpenBLAS picked an older core, name the matching kernel family.
///   A variable the user set is never changed.
public enum BLASEnvironment {
    /// The variables to add to the environment, empty when nothing needs changing.
    public static func neededSettings() -> [String: String] {
        #if canImport(Accelerate)
        return [:]
        #else
        var settings: [String: String] = [:]
        let environment = ProcessInfo.processInfo.environment
        if environment["OPENBLAS_NUM_THREADS"] == nil { settings["OPENBLAS_NUM_THREADS"] = "1" }
        if environment["OPENBLAS_CORETYPE"] == nil, let better = betterCoreType() {
            settings["OPENBLAS_CORETYPE"] = better
        }
        return settings
        #endif
    }

    /// Re-executes the current program with `neededSettings()` applied, once. Returns (having
    /// changed nothing) when no setting is needed or the re-exec fails.
    public static func relaunchIfNeeded() {
        #if os(Linux)
        let settings = neededSettings()
        guard !settings.isEmpty, getenv("SPINDLE_RELAUNCHED") == nil else { return }
        for (name, value) in settings { setenv(name, value, 1) }
        setenv("SPINDLE_RELAUNCHED", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        #endif
    }

    #if !canImport(Accelerate)
    /// The OpenBLAS core type this CPU deserves, or nil if OpenBLAS already chose well.
    static func betterCoreType() -> String? {
        let chosen = openblas_get_corename().map { String(cString: $0).lowercased() } ?? ""
        let flags = cpuFlags()
        let avx512Cores = ["skylakex", "cooperlake", "sapphirerapids"]
        let avx2Cores = avx512Cores + ["haswell", "zen", "zen4"]
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains),
           !avx512Cores.contains(chosen) {
            return "SkylakeX"
        }
        if flags.contains("avx2") && flags.contains("fma") && !avx2Cores.contains(chosen) {
            return "Haswell"
        }
        return nil
    }

    /// The CPU feature flags the kernel reports (Linux /proc/cpuinfo), empty elsewhere.
    static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
    #endif
}
