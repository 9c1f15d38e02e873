// swift-tools-version:6.0
import PackageDescription

// One set of Swift settings for every target, so strictness is uniform across the package.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "vecscope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vecscope", targets: ["vecscope"]),
        .library(name: "VecCore", targets: ["VecCore"]),
        .library(name: "VecTUI", targets: ["VecTUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CNcursesw", pkgConfig: "ncursesw",
            providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "VecCore",
            dependencies: [
                "CLibPQ", "CCurl", "CBLAS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            // The MiniLM forward pass is ~30x slower unoptimised, which would make every debug run and test
            // that embeds text crawl; the core is always built with optimisation (tests still use @testable).
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"])]),
        .target(
            name: "VecTUI",
            dependencies: ["VecCore", "CNcursesw"],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "vecscope",
            dependencies: [
                "VecCore", "VecTUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "TestSupport",
            dependencies: ["VecCore"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VecCoreTests",
            dependencies: ["VecCore", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VecTUITests",
            dependencies: ["VecTUI", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "vecscopeTests",
            dependencies: ["vecscope", "TestSupport"],
            swiftSettings: swiftSettings),
    ]
)
