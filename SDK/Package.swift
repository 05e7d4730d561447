// swift-tools-version:6.1
// The Aerolith plugin SDK for Swift: the C header as a module, and a kit that wraps it.
import PackageDescription

let package = Package(
    name: "AerolithPluginSDK",
    products: [
        .library(name: "AerolithPluginKit", targets: ["AerolithPluginKit"])
    ],
    targets: [
        // include/aerolith_plugin.h as a Clang module.
        .systemLibrary(name: "CAerolithPluginABI", path: "swift/CAerolithPluginABI"),
        .target(name: "AerolithPluginKit", dependencies: ["CAerolithPluginABI"], path: "swift/AerolithPluginKit"),
    ],
    swiftLanguageModes: [.v6]
)
