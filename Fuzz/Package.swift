// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer targets for the parsers that face the internet (see README.md).
/// Built on their own, with the fuzzer instrumentation:
///
///   swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library
///   export SWIFT_BACKTRACE=enable=no   # let libFuzzer, not Swift's backtracer, catch a crash and save its input
///   mkdir -p /tmp/burrow-corpus/http /tmp/burrow-corpus/control
///   .build/release/FuzzHTTPRouter -max_total_time=60 /tmp/burrow-corpus/http Corpus/http
///   .build/release/FuzzControlCodec -max_total_time=60 /tmp/burrow-corpus/control Corpus/control
let package = Package(
    name: "BurrowFuzz",
    dependencies: [.package(name: "Burrow", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzHTTPRouter",
            dependencies: [.product(name: "BurrowRelayFuzzing", package: "Burrow")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "FuzzControlCodec",
            dependencies: [.product(name: "BurrowCore", package: "Burrow")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
