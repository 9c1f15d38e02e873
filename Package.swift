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
        .library(name: "VecAPI", targets: ["VecAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
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
        .target(
            name: "VecAPI",
            dependencies: [
                "VecCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "vecscope",
            dependencies: [
                "VecCore", "VecTUI", "VecAPI",
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
            name: "VecAPITests",
            dependencies: [
                "VecAPI", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "vecscopeTests",
            dependencies: ["vecscope", "TestSupport"],
            swiftSettings: swiftSettings),
    ]
)
