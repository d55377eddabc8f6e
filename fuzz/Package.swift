// swift-tools-version: 6.0
import PackageDescription

// libFuzzer targets for Conveyor's parsers; `fuzz/run.sh` builds and runs them. `Modules/` links
// to the library sources of the main package, so the same code is compiled here with the fuzzer's
// instrumentation; the main package and its tests do not depend on this one.
let package = Package(
    name: "ConveyorFuzz",
    platforms: [.macOS(.v15)],
    targets: [
        .systemLibrary(name: "CLibXML2", path: "Modules/CLibXML2", pkgConfig: "libxml-2.0"),
        .target(name: "ConveyorBase", path: "Modules/ConveyorBase"),
        .target(name: "ExecutionModel", path: "Modules/ExecutionModel"),
        .target(name: "ProcessModel", dependencies: ["ConveyorBase", "CLibXML2"], path: "Modules/ProcessModel",
                exclude: ["Schemas"]),
        .target(name: "DocumentMapping", dependencies: ["ConveyorBase", "ProcessModel"], path: "Modules/DocumentMapping"),
        .target(name: "ProcessEngine", dependencies: ["ConveyorBase", "ProcessModel", "DocumentMapping", "ExecutionModel"], path: "Modules/ProcessEngine"),
        // SwiftPM links an executable with `main` set to `<Target>_main`; each target defines it
        // and hands over to libFuzzer's driver.
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzLoader", dependencies: ["FuzzDriver", "ProcessModel", "DocumentMapping"]),
        .executableTarget(name: "FuzzJSON", dependencies: ["FuzzDriver", "DocumentMapping"]),
        .executableTarget(name: "FuzzPaths", dependencies: ["FuzzDriver", "ProcessModel", "DocumentMapping", "ProcessEngine"]),
        .executableTarget(name: "FuzzCron", dependencies: ["FuzzDriver", "ProcessModel"]),
    ],
    swiftLanguageModes: [.v6]
)
