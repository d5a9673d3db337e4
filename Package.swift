// swift-tools-version:6.2
import PackageDescription

/// `OVERBLIK_FUZZ=1` (scripts/fuzz, `make fuzz`, in `.build-fuzz`): our own Swift targets are compiled with
/// libFuzzer's coverage instrumentation and AddressSanitizer, and the `overblik-fuzz` product exists. The packages
/// we depend on are built as usual (their code is not ours to fuzz, and instrumenting them would only slow every
/// run). Build only `--product overblik-fuzz` in that mode: every target of ours is instrumented, and only that
/// product links libFuzzer. Without it nothing here changes: no sanitizer, no fuzzer main in any product.
let fuzzing = Context.environment["OVERBLIK_FUZZ"] == "1"
let sanitize: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []

let strict: [SwiftSetting] =
    [
        .enableUpcomingFeature("ExistentialAny")
    ] + sanitize

/// Release builds (`make release`) link the Swift runtime and Foundation in statically and with the toolchain's lld
/// on Linux (GNU ld would warn about glibc's `mktemp` inside the static Foundation). Debug builds link as usual.
let releaseLink: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld"], .when(platforms: [.linux], configuration: .release))]

/// The release link of the TUI besides: the functions a session runs first and together (`linker/overblik.order`,
/// written by `scripts/orderfile`; they need sections of their own, `make release`), and the relative relocations
/// packed (DT_RELR): fewer of the binary's pages resident (issue [3/5]).
let orderedReleaseLink: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld",
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/linker/overblik.order",
            "-Xlinker", "--no-warn-symbol-ordering",
            "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        ], .when(platforms: [.linux], configuration: .release))
]

/// The libFuzzer executable (`OVERBLIK_FUZZ=1` only). SwiftPM links an executable's entry point as `main`, so
/// `overblik-fuzz` has a `main.swift` of its own that hands over to libFuzzer's `LLVMFuzzerRunDriver` (declared by
/// the `CLibFuzzer` shim); libFuzzer's own `main` is then never linked in.
let fuzzTargets: [Target] =
    fuzzing
    ? [
        .target(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
        .executableTarget(
            name: "overblik-fuzz",
            dependencies: ["FuzzTargets", "CLibFuzzer"],
            swiftSettings: strict,
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]
        ),
    ] : []

let package = Package(
    name: "Overblik",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "overblik", targets: ["overblik"]),
        .executable(name: "sundhedscloud", targets: ["sundhedscloud"]),
        .executable(name: "overblik-bench", targets: ["overblik-bench"]),
    ] + (fuzzing ? [.executable(name: "overblik-fuzz", targets: ["overblik-fuzz"])] : []),
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        /// `Assets/`: the strings (da, en), the keymap, the colour themes and the help texts, copied into the build
        /// beside the executables (`Overblik_Assets.resources`); `AssetFiles` finds them.
        .target(
            name: "Assets",
            path: "Assets",
            resources: [.copy("strings"), .copy("keymap.toml"), .copy("themes"), .copy("help")],
            swiftSettings: strict
        ),
        /// Phrases (message ids with parameters) and the catalogs that put them in words.
        .target(
            name: "Words",
            dependencies: ["Assets", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict
        ),
        .target(
            name: "FHIR",
            dependencies: [],
            swiftSettings: strict
        ),
        .target(
            name: "Transport",
            dependencies: [
                "Words", .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Federation",
            dependencies: [
                "Words", "FHIR", "Transport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CNCursesW",
            linkerSettings: [.linkedLibrary("ncursesw"), .linkedLibrary("tinfo")]
        ),
        .target(
            name: "Terminal",
            dependencies: ["CNCursesW"],
            swiftSettings: strict
        ),
        .target(
            name: "OverblikApp",
            dependencies: [
                "Words", "Assets", "FHIR", "Federation", "EventStream", "Terminal",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "DemoSources",
            dependencies: [
                "FHIR", "Transport",
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            linkerSettings: releaseLink
        ),
        .target(
            name: "Platform",
            dependencies: [
                "Words", "FHIR", "Transport",
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "EventStream",
            dependencies: [
                "Words", "FHIR", "Transport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        /// The international patient summary (IPS): a document built from what the sources give one caller, and the
        /// node service (`$summary`) that reads them through the gateway with the caller's token.
        .target(
            name: "Summary",
            dependencies: [
                "Words", "FHIR", "Federation", "Platform", "Transport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        /// The app cloud: SMART on FHIR discovery, the AppStore catalogue, the token endpoint (Backend Services)
        /// and token introspection, as a node service; the gateway enforces what an app's token may read.
        .target(
            name: "AppCloud",
            dependencies: [
                "Words", "FHIR", "Platform", "Transport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        /// The national analysis platform: Bulk Data ingest from the sources, keyed pseudonyms per project, the
        /// analysis store (apart from the platform's), and statistics that pass disclosure control.
        .target(
            name: "Research",
            dependencies: [
                "Words", "FHIR", "Transport", "Platform",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        /// One platform node from one configuration (`PlatformAssembly`), and the one mapping of a source definition:
        /// used by `sundhedscloud serve`, `overblik --demo`, the benchmarks and the tests.
        .target(
            name: "Assembly",
            dependencies: [
                "Words", "FHIR", "Transport", "Federation", "DemoSources", "Platform", "Summary", "AppCloud", "Research",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "sundhedscloud",
            dependencies: [
                "Words", "Assembly", "FHIR", "DemoSources", "Platform", "Federation", "Transport", "Research",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            linkerSettings: releaseLink
        ),
        .executableTarget(
            name: "overblik",
            dependencies: [
                "Words", "Assembly", "FHIR", "Federation", "OverblikApp", "DemoSources", "Platform", "EventStream", "Transport",
                "Summary",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict,
            linkerSettings: orderedReleaseLink
        ),
        .executableTarget(
            name: "overblik-bench",
            dependencies: [
                "Words", "Assembly", "FHIR", "DemoSources", "Federation", "OverblikApp", "Terminal", "Platform", "EventStream",
                "Research",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            linkerSettings: releaseLink
        ),
        /// One entry point per parser that reads outside bytes, with the properties its output must have
        /// (`make fuzz`; also run over the corpora and every crash found by `FuzzRegressionTests`).
        .target(
            name: "FuzzTargets",
            dependencies: [
                "Words", "FHIR", "Federation", "EventStream", "DemoSources", "Platform", "OverblikApp", "Summary",
                "Research",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            dependencies: ["DemoSources"],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "WordsTests",
            dependencies: ["Words", "Assets"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FHIRTests",
            dependencies: ["FHIR"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FederationTests",
            dependencies: [
                "Words", "Summary",
                "FHIR", "Federation", "OverblikApp", "DemoSources", "TestSupport", "Transport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PlatformTests",
            dependencies: [
                "Assembly",
                "Words",
                "FHIR", "Platform", "EventStream", "DemoSources", "TestSupport", "Federation", "Transport", "AppCloud",
                "Research",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ResearchTests",
            dependencies: [
                "Research", "DemoSources", "FHIR", "Platform", "Transport", "Words",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TerminalTests",
            dependencies: ["Terminal"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OverblikAppTests",
            dependencies: [
                "Words", "FHIR", "Federation", "EventStream", "OverblikApp", "Terminal", "DemoSources", "TestSupport",
            ],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: ["FuzzTargets"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DemoSourcesTests",
            dependencies: [
                "FHIR", "DemoSources", "TestSupport", "Transport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ] + fuzzTargets
)
