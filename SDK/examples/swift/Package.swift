// swift-tools-version:6.1
// A plugin written in Swift: `swift build -c release` makes .build/release/libHelloSwift.so.
import PackageDescription

let package = Package(
    name: "HelloSwift",
    products: [
        // A dynamic library: the shared object the server loads.
        .library(name: "HelloSwift", type: .dynamic, targets: ["HelloSwift"])
    ],
    dependencies: [
        // The SDK (SDK/Package.swift). Outside this repository, point it at your copy of the SDK.
        .package(path: "../..")
    ],
    targets: [
        .target(
            name: "HelloSwift",
            dependencies: [.product(name: "AerolithPluginKit", package: "SDK")],
            // Export nothing but the entry symbol.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/exports.map"])]
        )
    ],
    swiftLanguageModes: [.v6]
)
