// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "cowlab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cowlab", targets: ["cowlab"]),
        .executable(name: "cowlab-subject", targets: ["cowlab-subject"]),
        .library(name: "Smaps", targets: ["Smaps"]),
        .library(name: "PageMap", targets: ["PageMap"]),
        .library(name: "CowLab", targets: ["CowLab"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The subject: a tiny single-threaded C program that does the memory work.
        .executableTarget(
            name: "cowlab-subject",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-O2", "-Wall", "-Wextra"])],
            // Link as plain C: without this swiftc adds swiftrt.o + libswiftCore (+ libstdc++),
            // whose initialisers malloc at load time and give a fresh subject a [heap].
            // -no-static-stdlib: `swift build --static-swift-stdlib` would add the
            // static runtime's link arguments, -lstdc++ among them, and libstdc++'s
            // load-time initialiser mallocs (a 132 kB [heap] in every subject).
            linkerSettings: [.unsafeFlags(["-enable-experimental-feature", "Embedded", "-no-static-stdlib"])]
        ),
        // Only what Swift cannot reach: GNU extensions, SCM_RIGHTS, prctl.
        .target(name: "CCowlabShim", cSettings: [.define("_GNU_SOURCE")]),
        // Byte-level parser and model of /proc/PID/smaps and smaps_rollup.
        .target(name: "Smaps"),
        // /proc/PID/pagemap, /proc/kpagecount, /proc/kpageflags readers.
        .target(name: "PageMap"),
        // Scenarios, subjects, runner, expectations, environment probe.
        .target(
            name: "CowLab",
            dependencies: ["Smaps", "PageMap", "CCowlabShim", .product(name: "Yams", package: "Yams")]
        ),
        // Markdown / JSON renderers: pure functions of a run record.
        .target(name: "Reports", dependencies: ["CowLab", "Smaps", "PageMap"]),
        // The CLI: thin subcommands over the libraries. It depends on the
        // subject only so that `swift run cowlab` builds it too (the observer
        // runs it from beside its own executable); nothing of it is linked in.
        .executableTarget(
            name: "cowlab",
            dependencies: [
                "CowLab", "Reports", "Smaps", "PageMap", "cowlab-subject",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SmapsTests", dependencies: ["Smaps"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PageMapTests", dependencies: ["PageMap"]),
        .testTarget(name: "CowLabTests", dependencies: ["CowLab", "Smaps"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "CowLab"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
