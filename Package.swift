// swift-tools-version:6.0
import PackageDescription

// Dependencies point inward only:
//   creneau (CLI) → CreneauApp → CreneauHTTP   → CreneauDomain
//                              → CreneauStorage → CreneauDomain
// CreneauApp is the one place that wires storage to the surfaces. CreneauDomain imports
// nothing but Foundation (and the standard library's Synchronization): no HTTP, no SQL, no
// crypto library — password hashing and authenticator codes are dependencies it is given.
// CreneauHTTP cannot import SQL either.
let package = Package(
    name: "Creneau",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "creneau", targets: ["creneau"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        // Already in the graph through Hummingbird and postgres-nio: the SMTP client speaks NIO and TLS directly.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Already in the graph through Hummingbird: the server's connection guard reads HTTP parts.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(name: "CreneauDomain", resources: [.copy("Resources/common-passwords.txt")]),
        .target(
            name: "CreneauStorage",
            dependencies: [
                "CreneauDomain",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Email: an SMTP client (RFC 5321, STARTTLS, AUTH) and MIME rendering, plus the mailers the server picks from.
        .target(
            name: "CreneauMail",
            dependencies: [
                "CreneauDomain",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/Notices")]
        ),
        .target(
            name: "CreneauSeed",
            dependencies: ["CreneauDomain", "CreneauStorage"]
        ),
        // The web surfaces see the domain only: no SQL reaches them, and the compiler keeps it so.
        .target(
            name: "CreneauHTTP",
            dependencies: [
                "CreneauDomain",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/Templates"), .copy("Resources/Translations"), .copy("Resources/openapi.json")]
        ),
        .target(
            name: "CreneauApp",
            dependencies: [
                "CreneauDomain",
                "CreneauStorage",
                "CreneauSeed",
                "CreneauHTTP",
                "CreneauMail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "creneau",
            dependencies: [
                "CreneauApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test databases (SQLite file or a PostgreSQL schema per test) and fixtures.
        .target(
            name: "CreneauTestSupport",
            dependencies: [
                "CreneauDomain",
                "CreneauStorage",
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CreneauTestSupport"
        ),
        .testTarget(name: "CreneauDomainTests", dependencies: ["CreneauDomain", "CreneauSeed"]),
        .testTarget(
            name: "CreneauStorageTests",
            dependencies: ["CreneauDomain", "CreneauStorage", "CreneauSeed", "CreneauTestSupport"]
        ),
        .testTarget(
            name: "CreneauMailTests",
            dependencies: [
                "CreneauMail",
                "CreneauDomain",
                "CreneauStorage",
                "CreneauTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CreneauHTTPTests",
            dependencies: [
                "CreneauApp",
                "CreneauHTTP",
                "CreneauMail",
                "CreneauStorage",
                "CreneauTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
