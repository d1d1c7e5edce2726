// swift-tools-version: 6.1
import PackageDescription

/// Module layout (docs/ARCHITECTURE.md): arrows point down only.
///
///   burrow ── BurrowTUI ── TerminalUI ── CNcurses
///          ── BurrowAPI ───┐   (the engine's local API: server and client)
///          ── BurrowRelay ─┤
///          ── BurrowAgent ─┼── BurrowConfig ── BurrowCore
///                          └── BurrowCore
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "NIOSSH", package: "swift-nio-ssh"),
]

let package = Package(
    name: "Burrow",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "burrow", targets: ["burrow"]),
        // For the libFuzzer targets in Fuzz/ (a package of its own).
        .library(name: "BurrowCore", targets: ["BurrowCore"]),
        .library(name: "BurrowRelay", targets: ["BurrowRelay"]),
        .library(name: "BurrowRelayFuzzing", targets: ["BurrowRelayFuzzing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssh.git", from: "0.15.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // The relay's /metrics (Prometheus text); used by BurrowRelay only.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // X.509 certificates and CSRs for HTTPS URLs (the local CA, ACME); BurrowCertificates only.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // TLS for the ACME client (and, next, the relay's terminated https visitors).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // HTTP/2 to the relay's terminated https visitors (each stream becomes an HTTP/1.1 request to the agent).
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        // The relay fleet's shared state (reservations, members) in PostgreSQL; BurrowCluster only.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // postgres-nio's transactions take a Logger (a silent one: the relay logs its own lines).
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.3"),
    ],
    targets: [
        // ncursesw from Debian's libncurses-dev. No `pkgConfig:` here: its cflags
        // (-D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600) are refused by SwiftPM with a
        // warning on every build; the shim header defines what it needs and the
        // module map links ncursesw, which is all pkg-config would add.
        .systemLibrary(name: "CNcurses"),
        .target(name: "BurrowCore", swiftSettings: strict),
        .target(
            name: "BurrowConfig",
            dependencies: ["BurrowCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // NIO handlers both ends of the tunnel use (SSH channel data <-> bytes, UDP framing).
        .target(
            name: "BurrowNIO",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BurrowRelay",
            dependencies: [
                "BurrowCore", "BurrowConfig", "BurrowNIO", "BurrowCertificates",
                // TLS termination of HTTP mappings' https visitors.
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Crypto", package: "swift-crypto"),
                // SNIHandler: reads only the ClientHello's server name for TLS passthrough.
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"), .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ] + nio,
            swiftSettings: strict
        ),
        // The relay fleet (`burrow serve --cluster postgres://…`): reservations and
        // members in PostgreSQL. The only importer of PostgresNIO; BurrowRelay
        // knows it only as a ReservationBackend and a FleetHealth.
        .target(
            name: "BurrowCluster",
            dependencies: [
                "BurrowRelay", "BurrowConfig", "BurrowCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The fuzz entry to the HTTP router (Fuzz/FuzzHTTPRouter): an
        // EmbeddedChannel around the real pipeline. Not linked into `burrow`.
        .target(
            name: "BurrowRelayFuzzing",
            dependencies: [
                "BurrowRelay", "BurrowConfig",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BurrowAgent",
            dependencies: [
                "BurrowCore", "BurrowConfig", "BurrowNIO",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ] + nio,
            swiftSettings: strict
        ),
        // Certificates for https:// URLs: the local CA (NAME.localhost) and the
        // ACME (RFC 8555) exchange as a value; no I/O of its own but files.
        .target(
            name: "BurrowCertificates",
            dependencies: [
                "BurrowConfig",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // The engine's local API on CONFIG_DIR/engine.sock: the server in the
        // engine's process and the client (a `TunnelEngine`) the TUI and CLI use.
        .target(
            name: "BurrowAPI",
            dependencies: [
                "BurrowCore", "BurrowConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(name: "TerminalUI", dependencies: ["CNcurses"], swiftSettings: strict),
        .target(name: "BurrowTUI", dependencies: ["BurrowCore", "BurrowConfig", "TerminalUI"], swiftSettings: strict),
        .executableTarget(
            name: "burrow",
            dependencies: [
                "BurrowCore", "BurrowConfig", "BurrowRelay", "BurrowCluster", "BurrowAgent", "BurrowAPI", "BurrowTUI", "TerminalUI", "BurrowCertificates",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Test helpers shared by the test targets (spawning real processes).
        // BurrowRelay: the one test relay configuration (TestRelay) both relay fixtures build on.
        .target(name: "BurrowTestSupport", dependencies: ["BurrowRelay", "TerminalUI"], path: "Tests/BurrowTestSupport", swiftSettings: strict),
        .testTarget(
            name: "BurrowNIOTests",
            dependencies: [
                "BurrowNIO", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
            ],
            swiftSettings: strict),
        .testTarget(name: "BurrowCoreTests", dependencies: ["BurrowCore", "BurrowTestSupport"], swiftSettings: strict),
        .testTarget(name: "BurrowConfigTests", dependencies: ["BurrowConfig", "BurrowCore", "BurrowTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "BurrowRelayTests",
            dependencies: [
                "BurrowRelay", "BurrowRelayFuzzing", "BurrowAgent", "BurrowConfig", "BurrowCore", "BurrowTestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"), .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ] + nio,
            swiftSettings: strict
        ),
        .testTarget(name: "BurrowAgentTests", dependencies: ["BurrowAgent", "BurrowRelay", "BurrowCertificates", "BurrowConfig", "BurrowCore", "BurrowNIO", "BurrowTestSupport", .product(name: "NIOEmbedded", package: "swift-nio")] + nio, swiftSettings: strict),
        .testTarget(name: "BurrowTUITests", dependencies: ["BurrowTUI", "TerminalUI", "BurrowConfig", "BurrowCore", "BurrowTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "BurrowCertificatesTests",
            dependencies: [
                "BurrowCertificates", "BurrowTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BurrowAPITests",
            dependencies: ["BurrowAPI", "BurrowAgent", "BurrowConfig", "BurrowCore", "BurrowTestSupport"] + nio,
            swiftSettings: strict),
        .testTarget(
            name: "BurrowClusterTests",
            dependencies: ["BurrowCluster", "BurrowRelay", "BurrowConfig", "BurrowCore", "BurrowTestSupport"] + nio,
            swiftSettings: strict),
        .testTarget(name: "BurrowCLITests", dependencies: ["BurrowCore", "BurrowTestSupport"], swiftSettings: strict),
    ]
)
