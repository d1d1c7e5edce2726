// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer targets for the parsers that face the internet (see README.md).
/// Built on their own, with the fuzzer instrumentation:
///
///   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
///   .build/release/FuzzHTTPRouter -max_total_time=60 Corpus/http
///   .build/release/FuzzControlCodec -max_total_time=60 Corpus/control
let package = Package(
    name: "BurrowFuzz",
    dependencies: [.package(name: "Burrow", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzHTTPRouter",
            dependencies: [.product(name: "BurrowRelay", package: "Burrow")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "FuzzControlCodec",
            dependencies: [.product(name: "BurrowCore", package: "Burrow")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
