// swift-tools-version: 6.0
// Benchmarks live in their own package so that `swift test` at the root never builds them.
// Run: swift run -c release --package-path Benchmarks spindle-bench [--help]
import PackageDescription

let package = Package(
    name: "SpindleBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Spindle", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "spindle-bench",
            dependencies: [.product(name: "Spindle", package: "Spindle")]
        ),
    ]
)
