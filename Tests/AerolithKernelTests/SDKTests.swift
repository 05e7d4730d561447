import Foundation
import Testing

@testable import AerolithKernel

/// The SDK as a third party uses it: the header compiles as C and C++, and the C example builds
/// into a plugin file the kernel accepts and maps.
@Suite struct SDKTests {
    /// `<repository>/SDK`, found from this source file.
    static let sdk = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SDK").path

    func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func headerCompilesAsCAndCPlusPlusWithoutWarnings() throws {
        let directory = NSTemporaryDirectory() + "aerolith-sdk-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = directory + "/use.c"
        // Both headers, with the helpers and the expression slice macro used, so each is compiled.
        try """
        #include "aerolith_json.h"
        #include "aerolith_plugin.h"
        static aerolith_status use(const aerolith_host_api *api, const aerolith_call *call, aerolith_before_write_result *result) {
            aerolith_log(api, call, AEROLITH_LOG_INFO, AEROLITH_SLICE("text"));
            (void)aerolith_messagef(api, call, "%d of %.*s", 1, 4, "four");
            aerolith_json_value value;
            if (aerolith_json_find(AEROLITH_SLICE("{\\"a\\":1}"), "a", &value) != AEROLITH_OK) return AEROLITH_ERR_INTERNAL;
            return aerolith_reject(api, call, result, AEROLITH_SLICE("code"), aerolith_slice_from_cstring("reason"));
        }
        int main(void) { (void)use; return AEROLITH_ABI_VERSION_MAJOR == 1 ? 0 : 1; }

        """.write(toFile: source, atomically: true, encoding: .utf8)
        let include = Self.sdk + "/include"
        let c = try run("/usr/bin/cc", ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only", "-I", include, source])
        #expect(c.status == 0, "\(c.output)")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/g++") {
            let cxx = try run(
                "/usr/bin/g++",
                ["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only", "-x", "c++", "-I", include, source])
            #expect(cxx.status == 0, "\(cxx.output)")
        }
    }

    /// The JSON reader's own tests (Fixtures/json_reader_test.c: escapes, nesting, arrays,
    /// whitespace, every truncation of a text, duplicate keys, numbers, limits), built with the
    /// address and undefined-behaviour sanitizers so a read outside the input fails the run.
    @Test func jsonReaderPassesItsCTests() throws {
        let directory = NSTemporaryDirectory() + "aerolith-json-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/json_reader_test.c").path
        let program = directory + "/json_reader_test"
        let build = try run(
            "/usr/bin/cc",
            [
                "-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-g", "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all", "-I", Self.sdk + "/include", "-o", program, source,
            ])
        #expect(build.status == 0, "\(build.output)")
        let result = try run(program, [])
        #expect(result.status == 0 && result.output.contains("all checks passed"), "\(result.output)")
    }

    @Test func cExampleBuildsIntoALoadablePlugin() throws {
        let directory = NSTemporaryDirectory() + "aerolith-example-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/hello_plugin.so"
        // The Makefile's one line, with the output outside the source tree.
        let build = try run(
            "/usr/bin/cc",
            [
                "-shared", "-fPIC", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-I", Self.sdk + "/include",
                "-o", output, Self.sdk + "/examples/c/hello_plugin.c",
            ])
        #expect(build.status == 0, "\(build.output)")
        let file = try PluginFile.open(output).get()
        let (object, _) = try SharedObject.open(file).get()
        #expect(object.symbol("add_i64") != nil)
        // The example's hooks are all kinds this host dispatches: it loads, and says what it offers.
        let plugin = try PluginLoader.load(file).get()
        #expect(plugin.name == "hello")
        #expect(plugin.hooks.map(\.kind) == [.documentBeforeWrite, .authorize])
        #expect(plugin.functions.map(\.name) == ["add_i64"])
    }
}

/// The Swift example, built as a third party builds it (SwiftPM, the SDK package only), loads
/// and its hook transforms a write through the kit.
@Suite struct SwiftExampleTests {
    @Test func swiftExampleBuildsWithSwiftPMAndRunsItsHook() throws {
        let scratch = NSTemporaryDirectory() + "aerolith-swift-example-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let swift =
            ["/opt/swift/usr/bin/swift", "/usr/bin/swift"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/env"
        let arguments =
            (swift == "/usr/bin/env" ? ["swift"] : []) + [
                "build", "-c", "release", "--package-path", SDKTests.sdk + "/examples/swift",
                "--scratch-path", scratch,
            ]
        let build = try SDKTests().run(swift, arguments)
        #expect(build.status == 0, "\(build.output)")
        let library = scratch + "/release/libHelloSwift.so"
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch)
        let plugin = try PluginLoader.load(try PluginFile.open(library).get()).get()
        #expect(plugin.name == "hello-swift" && plugin.hooks.map(\.kind) == [.documentBeforeWrite])
        let items = ConformanceCheck.run(path: library)
        let failed = items.filter { !$0.passed }
        #expect(failed.isEmpty, "\(failed)")
        let stamp = items.first { $0.name == "hook stamp (document_before_write)" }
        #expect(stamp?.detail.contains("transformed") == true)
    }
}
