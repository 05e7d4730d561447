import Foundation
import Logging
import Testing

@testable import AerolithKernel

/// Exported functions called through libffi with the types their signature declares.
@Suite struct FunctionCallTests {
    static let source = """
        #include "aerolith_plugin.h"
        #include <stdbool.h>
        static int64_t add_i64(int64_t a, int64_t b) { return a + b; }
        static double scale(double value, int32_t factor) { return value * factor; }
        static bool is_even(uint64_t value) { return value % 2 == 0; }
        static float half(float value) { return value / 2; }
        #define EXPORT(n, s, f) static const aerolith_function_export n = { .struct_size = sizeof(aerolith_function_export), \\
            .name = AEROLITH_SLICE_LITERAL(#n), .signature = AEROLITH_SLICE_LITERAL(s), .function = (aerolith_any_function)f };
        EXPORT(add, "i64(i64,i64)", add_i64)
        EXPORT(times, "f64(f64,i32)", scale)
        EXPORT(even, "bool(u64)", is_even)
        EXPORT(halve, "f32(f32)", half)
        static const aerolith_function_export *const functions[] = { &add, &times, &even, &halve };
        static const aerolith_plugin_descriptor descriptor = {
            .struct_size = sizeof(aerolith_plugin_descriptor), .abi = { AEROLITH_ABI_VERSION_MAJOR, AEROLITH_ABI_VERSION_MINOR },
            .layout = AEROLITH_LAYOUT_INIT, .name = AEROLITH_SLICE_LITERAL("maths"), .version = AEROLITH_SLICE_LITERAL("1.0.0"),
            .functions = functions, .function_count = 4,
        };
        AEROLITH_EXPORT aerolith_status aerolith_plugin_init(const aerolith_host_init *host, const aerolith_plugin_descriptor **out) {
            (void)host; *out = &descriptor; return AEROLITH_OK;
        }
        """

    @Test func callsWithTheDeclaredTypes() throws {
        let directory = NSTemporaryDirectory() + "aerolith-ffi-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try compileSharedObject(
            Self.source, name: "maths", in: directory, extraFlags: ["-Wall", "-Werror", "-I", SDKTests.sdk + "/include"])
        let store = try ScratchStore()
        let registry = PluginRegistry(
            directories: PluginDirectories(dataDirectory: "/nonexistent", extra: [directory], environment: [:], besideExecutable: nil),
            keyValues: store.store.keyValues, logger: Logger(label: "test"))
        registry.scan()
        #expect(try registry.call(plugin: "maths", function: "add", arguments: [.integer(40), .integer(2)]) == .integer(42))
        #expect(try registry.call(plugin: "maths", function: "add", arguments: [.integer(Int64.max), .integer(Int64.min)]) == .integer(-1))
        #expect(try registry.call(plugin: "maths", function: "times", arguments: [.real(1.5), .integer(-4)]) == .real(-6))
        #expect(try registry.call(plugin: "maths", function: "even", arguments: [.unsigned(UInt64.max - 1)]) == .bool(true))
        #expect(try registry.call(plugin: "maths", function: "halve", arguments: [.real(3)]) == .real(1.5))
        #expect(throws: FunctionCallError.self) { try registry.call(plugin: "maths", function: "add", arguments: [.integer(1)]) }
        #expect(throws: FunctionCallError.self) {
            try registry.call(plugin: "maths", function: "times", arguments: [.real(1), .integer(1 << 40)])
        }
        #expect(throws: FunctionCallError.self) { try registry.call(plugin: "maths", function: "even", arguments: [.integer(-1)]) }
        #expect(throws: PluginControlError(.functionNotFound, "plugin \"maths\" exports no function \"nope\"")) {
            try registry.call(plugin: "maths", function: "nope", arguments: [])
        }
        #expect(throws: PluginControlError.notFound("other")) { try registry.call(plugin: "other", function: "add", arguments: []) }
        try registry.disable("maths")
        #expect(throws: PluginControlError(.pluginDisabled, "plugin \"maths\" is disabled")) {
            try registry.call(plugin: "maths", function: "add", arguments: [.integer(1), .integer(2)])
        }
    }
}
