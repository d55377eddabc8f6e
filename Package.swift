// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Conveyor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "conveyor", targets: ["Conveyor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // System libraries, each wrapped once by the target that uses it.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Shared algorithms with no package dependency: civil time, `{…}` templates, CSV quoting, JSON bytes.
        .target(name: "ConveyorBase", dependencies: ["CByteScan"]),
        // Header-only vector byte scanning for ConveyorBase's JSON scanners.
        .systemLibrary(name: "CByteScan"),
        // libcurl, loaded with dlopen on the first request (curl.h from libcurl4-openssl-dev at build time).
        .target(name: "CCurl"),

        // `-static-stdlib` links with `--export-dynamic`: every symbol of every module in the
        // dynamic symbol table (62,000, 5 MB), searched by each library loaded later and scanned
        // whole by the runtime's `dladdr` at start. Nothing looks them up: not exported.
        .executableTarget(name: "Conveyor", dependencies: ["ConveyorCommands", "CMalloc"],
                          linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))]),
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "ConveyorCommands",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "ConveyorBase", "ProcessModel", "ProcessDiagram", "ProcessEngine", "DocumentMapping", "ExecutionStore",
                "BigQuery", "DiskConnector", "PostgresConnector", "HTTPConnector", "GoogleAuth", "HTTPTransport", "HostService",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The schemas are compiled in (`Loading/EmbeddedSchemas.swift`, written by scripts/embed-schemas.py).
        .target(name: "ProcessModel", dependencies: ["ConveyorBase", "CLibXML2", .product(name: "Crypto", package: "swift-crypto")],
                exclude: ["Schemas"]),
        .target(name: "ProcessDiagram", dependencies: ["ProcessModel"]),
        .target(name: "DocumentMapping", dependencies: ["ConveyorBase", "ProcessModel"]),
        .target(name: "ExecutionModel"),
        .target(name: "ProcessEngine", dependencies: ["ConveyorBase", "ProcessModel", "DocumentMapping", "ExecutionModel"]),
        .target(name: "HTTPTransport", dependencies: ["ConveyorBase", "CCurl"]),
        .target(
            name: "GoogleAuth",
            dependencies: [
                "COpenSSL", "HTTPTransport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BigQueryStorage",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "BigQuery",
            dependencies: [
                "ConveyorBase", "ProcessEngine", "ProcessModel", "DocumentMapping", "GoogleAuth", "HTTPTransport", "BigQueryStorage",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(name: "DiskConnector", dependencies: ["ConveyorBase", "ProcessEngine", "ProcessModel"]),
        .target(
            name: "PostgresConnector",
            dependencies: [
                "ConveyorBase", "ProcessEngine", "ProcessModel", "DocumentMapping",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "HTTPConnector", dependencies: ["ConveyorBase", "ProcessEngine", "ProcessModel", "DocumentMapping", "HTTPTransport"]),
        .target(
            name: "ExecutionStore",
            dependencies: [
                "ConveyorBase", "ExecutionModel", "CSQLite", "COpenSSL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HostService",
            dependencies: [
                "ConveyorBase", "ProcessEngine", "ProcessModel", "ProcessDiagram", "ExecutionStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        .testTarget(name: "ConveyorBaseTests", dependencies: ["ConveyorBase"]),
        .testTarget(name: "ProcessModelTests", dependencies: ["ProcessModel"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ProcessDiagramTests", dependencies: ["ProcessDiagram", "ProcessModel"], exclude: ["Fixtures"]),
        .testTarget(name: "DocumentMappingTests", dependencies: ["DocumentMapping", "ProcessModel"], exclude: ["Fixtures"]),
        .testTarget(name: "ProcessEngineTests", dependencies: ["ProcessEngine", "ProcessModel", "DocumentMapping", "TestSupport"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "GoogleAuthTests", dependencies: ["GoogleAuth", "HTTPTransport", "TestSupport"]),
        .testTarget(name: "BigQueryTests", dependencies: [
            "BigQuery", "BigQueryStorage", "ProcessEngine", "ProcessModel", "DocumentMapping", "GoogleAuth", "HTTPTransport",
            "TestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "ExecutionStoreTests", dependencies: [
            "ExecutionStore", "TestSupport", .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "DiskConnectorTests", dependencies: ["DiskConnector", "ProcessEngine", "ProcessModel", "TestSupport"]),
        .testTarget(name: "PostgresConnectorTests", dependencies: [
            "PostgresConnector", "ProcessEngine", "ProcessModel", "TestSupport",
        ]),
        .testTarget(name: "HTTPConnectorTests", dependencies: [
            "HTTPConnector", "ProcessEngine", "ProcessModel", "TestSupport",
        ]),
        .testTarget(name: "HostServiceTests", dependencies: [
            "HostService", "ProcessEngine", "ProcessModel", "ExecutionStore", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["ExecutionStore", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ConveyorCommandsTests", dependencies: [
            "ConveyorCommands", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
