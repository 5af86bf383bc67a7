// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Spindle",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Spindle", targets: ["Spindle"]),
        .library(name: "HDF5Kit", targets: ["HDF5Kit"]),
        .executable(name: "spindle", targets: ["spindle-cli"]),
    ],
    // MPI: data parallelism across processes and hosts (`swift build --traits MPI`, README "Across
    // hosts (MPI)"). Off by default, so that building Spindle never needs an MPI library.
    traits: [
        .trait(name: "MPI", description: "Train across processes and hosts with MPI (needs Open MPI: libopenmpi-dev / open-mpi)."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C libraries

        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]
        ),
        // OpenBLAS on Linux; Apple platforms use Accelerate through `#if canImport(Accelerate)`.
        .systemLibrary(
            name: "CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Only with the MPI trait: everything that depends on it does so `.when(traits: ["MPI"])`.
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"]), .brew(["open-mpi"])]
        ),

        // MARK: - Kernels in C (vector-width dispatch Swift cannot express; see the header)

        .target(name: "CKernels"),

        // MARK: - Libraries

        .target(
            name: "HDF5Kit",
            dependencies: ["CHDF5"]
        ),
        .target(
            name: "Spindle",
            dependencies: [
                "HDF5Kit",
                "CKernels",
                "CZlib",
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
            ]
        ),
        // The MPI `Communicator`; without the trait it compiles to an empty module.
        .target(
            name: "SpindleMPI",
            dependencies: ["Spindle", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]
        ),

        // MARK: - Executable

        .executableTarget(
            name: "spindle-cli",
            dependencies: [
                "Spindle",
                .target(name: "SpindleMPI", condition: .when(traits: ["MPI"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests

        // What every test target shares: one temporary-directory helper, one process runner, the
        // test-data generator; helpers that record issues take the caller's `sourceLocation`.
        .target(name: "SpindleTestSupport", path: "Tests/SpindleTestSupport"),
        .testTarget(name: "HDF5KitTests", dependencies: ["HDF5Kit", "SpindleTestSupport"]),
        .testTarget(
            name: "SpindleTests",
            dependencies: ["Spindle", "HDF5Kit", "SpindleTestSupport"],
            // NumPy reference values and the script that made them, read through #filePath.
            exclude: ["Core/Reference", "Layers/Reference"]
        ),
        .testTarget(
            name: "SpindleCLITests",
            dependencies: ["spindle-cli", "HDF5Kit", "SpindleTestSupport"]
        ),
    ]
)
