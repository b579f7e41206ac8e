// swift-tools-version:6.0
import PackageDescription

// Layering (dependencies point downwards only):
//   1. CRabbitMQ, CHiredis, CMongoc   – system libraries (module map + shim header, pkg-config)
//   2. ClientSupport, AMQP, Redis, Mongo – Swift clients; no C type leaks out of them
//   3. Celeriac                          – the task framework (added by the core issue)
//   4. Loan*                             – the loan domain, store, tasks, API
//   5. executables                       – argument parsing and wiring only

/// LoanAPI implements Hummingbird's middleware protocols, whose requirements are `@concurrent`:
/// it keeps Swift's default isolation of nonisolated async functions.
let strictConcurrentByDefault: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]
let strict: [SwiftSetting] = strictConcurrentByDefault + [
    // A nonisolated async function runs on its caller's executor instead of hopping to the
    // generic one: a worker's tasks run on the consumer connection's thread by executor
    // preference, and every such hop looked that preference up under the task's status lock
    // (12 % of a worker's CPU in perf at 20,000 tasks/s). README, Threading model.
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "Celeriac",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AMQP", targets: ["AMQP"]),
        .library(name: "Redis", targets: ["Redis"]),
        .library(name: "Mongo", targets: ["Mongo"]),
        .library(name: "Celeriac", targets: ["Celeriac"]),
        .executable(name: "celeriac-smoke", targets: ["celeriac-smoke"]),
        .executable(name: "loan-worker", targets: ["loan-worker"]),
        .executable(name: "loan-demo", targets: ["loan-demo"]),
        .executable(name: "taskctl", targets: ["taskctl"]),
        .executable(name: "loan-api", targets: ["loan-api"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", exact: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit", exact: "5.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
    ],
    targets: [
        // MARK: 1. C libraries
        .systemLibrary(name: "CRabbitMQ", pkgConfig: "librabbitmq",
                       providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis",
                       providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CMongoc", pkgConfig: "libmongoc-1.0",
                       providers: [.apt(["libmongoc-dev", "libbson-dev"])]),

        // MARK: 2. Swift clients
        .target(name: "JSONCore", swiftSettings: strict),
        .target(name: "ClientSupport",
                dependencies: [.product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "AMQP",
                dependencies: ["CRabbitMQ", "ClientSupport",
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "Redis",
                dependencies: ["CHiredis", "ClientSupport",
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "Mongo",
                dependencies: ["CMongoc", "ClientSupport", "JSONCore",
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),

        // MARK: 3. the task framework
        .target(name: "Celeriac",
                dependencies: ["AMQP", "Redis", "ClientSupport", "JSONCore",
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics")],
                swiftSettings: strict),

        .target(name: "CeleriacInspect",
                dependencies: ["Celeriac", "Redis"],
                swiftSettings: strict),

        // MARK: 4. applications of the framework
        .target(name: "DemoTasks", dependencies: ["Celeriac"], swiftSettings: strict),
        .target(name: "LoanDomain", swiftSettings: strict),
        .target(name: "ServiceEnvironment",
                dependencies: [.product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "LoanStore",
                dependencies: ["LoanDomain", "Mongo", "Redis"],
                swiftSettings: strict),
        .target(name: "LoanTasks",
                dependencies: ["Celeriac", "LoanDomain", "LoanStore",
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "LoanAPI",
                dependencies: ["Celeriac", "JSONCore", "LoanDomain", "LoanStore", "LoanTasks", "Mongo", "Redis",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                               .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                               .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                               .product(name: "JWTKit", package: "jwt-kit"),
                               .product(name: "Prometheus", package: "swift-prometheus"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               "ServiceEnvironment",
                               .product(name: "Metrics", package: "swift-metrics"),
                               .product(name: "Logging", package: "swift-log")],
                // The web front end, compiled into the binary (no files to ship beside it).
                resources: [.embedInCode("Web")],
                swiftSettings: strictConcurrentByDefault),

        // MARK: 5. executables
        .executableTarget(name: "loan-api",
                          dependencies: ["LoanAPI", "ServiceEnvironment",
                                         .product(name: "Hummingbird", package: "hummingbird"),
                                         .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                         .product(name: "Prometheus", package: "swift-prometheus"),
                                         .product(name: "Metrics", package: "swift-metrics"),
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strict),
        .executableTarget(name: "celeriac-smoke",
                          dependencies: ["AMQP", "Redis", "Mongo", "Celeriac", "DemoTasks",
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strict),
        .executableTarget(name: "loan-worker",
                          dependencies: ["Celeriac", "DemoTasks", "LoanTasks", "LoanStore", "Mongo", "ServiceEnvironment",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strict),
        .executableTarget(name: "loan-demo",
                          dependencies: ["Celeriac", "LoanDomain", "LoanStore", "LoanTasks", "Mongo", "ServiceEnvironment",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strict),
        .executableTarget(name: "taskctl",
                          dependencies: ["Celeriac", "CeleriacInspect", "ServiceEnvironment",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: strict),
        .executableTarget(name: "client-bench",
                          dependencies: ["AMQP", "Redis"],
                          path: "bench/ClientBench",
                          swiftSettings: strict),

        // The raw limit: one task's server work straight on rabbitmq-c and hiredis (no Swift client layers).
        .executableTarget(name: "raw-limit",
                          dependencies: ["CRabbitMQ", "CHiredis"],
                          path: "bench/RawLimit",
                          swiftSettings: strict),

        .executableTarget(name: "celeriac-bench",
                          dependencies: ["Celeriac", "DemoTasks", "Redis", "Mongo", "LoanDomain", "LoanStore", "LoanTasks",
                                         .product(name: "Logging", package: "swift-log")],
                          path: "bench/CeleriacBench",
                          swiftSettings: strict),

        // MARK: tests
        .target(name: "TestSupport",
                dependencies: ["ClientSupport", "JSONCore", .product(name: "Logging", package: "swift-log")],
                path: "Tests/TestSupport",
                swiftSettings: strict),
        .testTarget(name: "ClientSupportTests", dependencies: ["ClientSupport", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "AMQPTests", dependencies: ["AMQP", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "MongoTests", dependencies: ["Mongo", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "LoanDomainTests",
                    dependencies: ["LoanDomain", .product(name: "PropertyBased", package: "swift-property-based")],
                    swiftSettings: strict),
        .testTarget(name: "LoanPipelineTests",
                    dependencies: ["LoanTasks", "LoanStore", "LoanDomain", "Celeriac", "Mongo", "Redis", "TestSupport",
                                   .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strict),
        .testTarget(name: "TaskctlTests",
                    dependencies: ["Celeriac", "DemoTasks", "TestSupport", "JSONCore", .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strict),
        .testTarget(name: "LoanAPITests",
                    dependencies: ["LoanAPI", "ServiceEnvironment", "LoanTasks", "LoanStore", "LoanDomain", "Celeriac", "Mongo", "Redis", "TestSupport",
                                   .product(name: "Hummingbird", package: "hummingbird"),
                                   .product(name: "HummingbirdTesting", package: "hummingbird"),
                                   .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                                   .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                                   .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                                   .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strict),
        // Offline checks of docker-compose.yml, the Dockerfile and deploy/k8s (validators from
        // the venvs scripts/test.sh installs) and of the worker's health probe.
        .testTarget(name: "DeployTests",
                    dependencies: ["TestSupport", "JSONCore", "AMQP", "Redis", "Mongo"],
                    swiftSettings: strict),
        .testTarget(name: "CeleriacTests", dependencies: ["Celeriac", "DemoTasks", "TestSupport", "AMQP", "Redis", "JSONCore",
                                                         .product(name: "MetricsTestKit", package: "swift-metrics"),
                                                         .product(name: "Metrics", package: "swift-metrics")],
                    swiftSettings: strict),
    ]
)
