// swift-tools-version:6.0
// The pure layers of both firmware worlds, built for the host and tested with `swift test`.
// The firmware images are built from the same folders by the Makefile (see docs/build.md).
// The module graph is declared once, in Sources/modules.txt, which the Makefile reads too.
import Foundation
import PackageDescription

struct Module { let name: String; let folder: String; let kind: String; let deps: [String] }
let graph = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources/modules.txt")
let modules = try! String(contentsOf: graph, encoding: .utf8).split(separator: "\n").compactMap { line -> Module? in
    let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard let first = words.first, !first.hasPrefix("#"), words.count >= 3 else { return nil }
    return Module(name: first, folder: words[1], kind: words[2], deps: Array(words.dropFirst(3)))
}
// The pure Swift layers; the header-only C modules they import.
let layers = modules.filter { $0.kind == "host" }.map { (name: $0.name, deps: $0.deps, path: $0.folder) }
let cModules = modules.filter { $0.kind == "c" }

var targets: [Target] = cModules.map { .target(name: $0.name, path: $0.folder) }
for layer in layers {
    targets.append(.target(
        name: layer.name,
        dependencies: layer.deps.map { .target(name: $0) },
        path: layer.path))
    targets.append(.testTarget(
        name: "\(layer.name)Tests",
        dependencies: [.target(name: layer.name)] + layer.deps.map { .target(name: $0) }
            + (["ABI", "DeviceTree", "Variables", "SPMC", "SecureMonitor", "Crypto"].contains(layer.name) ? [.target(name: "TestSupport")] : [])
            + (layer.name == "SPMC" ? [.target(name: "SecureMonitor")] : []),
        path: "Tests/\(layer.name)Tests"))
}
// Helpers of the host tests, fuzzers and power-cut trials (a RAM flash, fuzz drivers): never in
// a firmware image, so not in Sources/.
targets.append(.target(
    name: "TestSupport", dependencies: ["ABI", "MM", "Variables", "SPMC", "SecureMonitor"], path: "Tests/Support"))
targets.append(.testTarget(
    name: "EndToEndTests",
    dependencies: ["ABI", "MM", "Variables", "SPMC", "SecureMonitor", "Driver", "TestSupport"],
    path: "Tests/EndToEndTests"))

let package = Package(
    name: "SwiftFFAFirmware",
    products: layers.map { .library(name: $0.name, targets: [$0.name]) },
    targets: targets
)

// Fuzzing (issue 6): libFuzzer targets, built and run by tools/fuzz.py with
// `--sanitize fuzzer -Xswiftc -sanitize=fuzzer,address`; a plain build links them as empty programs.
package.targets.append(.target(
    name: "FuzzChecks", dependencies: ["DeviceTree", "MM", "Crypto", "PartitionBoot", "Variables", "TestSupport"], path: "Fuzz/Checks"))
package.targets.append(.testTarget(
    name: "FuzzChecksTests", dependencies: ["FuzzChecks", "DeviceTree", "MM", "Variables"],
    path: "Tests/FuzzChecksTests"))
for (fuzzer, deps) in [("SPMCFuzzer", ["SPMC", "SecureMonitor", "TestSupport"]), ("MMFuzzer", ["Variables", "TestSupport"]),
                       ("DeviceTreeFuzzer", ["FuzzChecks"]), ("FlashLogFuzzer", ["FuzzChecks"]),
                       ("DERFuzzer", ["FuzzChecks"])] {
    package.targets.append(.executableTarget(
        name: fuzzer, dependencies: deps.map { .target(name: $0) }, path: "Fuzz/\(fuzzer)"))
    package.products.append(.executable(name: fuzzer, targets: [fuzzer]))
}

// The host tool `varstore` (make varstore): flash images' variable stores through the partition's
// own store code.
package.targets += [
    .target(name: "VarStoreKit", dependencies: ["MM", "Variables"], path: "Host/VarStoreKit"),
    .executableTarget(name: "varstore", dependencies: ["VarStoreKit"], path: "Host/varstore"),
    .testTarget(name: "VarStoreTests", dependencies: ["VarStoreKit", "MM", "Variables", "TestSupport"],
                path: "Tests/VarStoreTests"),
]
package.products.append(.executable(name: "varstore", targets: ["varstore"]))
