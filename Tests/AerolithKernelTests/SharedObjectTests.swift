import AerolithStorage
import Foundation
import Testing

@testable import AerolithKernel

/// Compiles C into a shared object with the system compiler, as a plugin author would.
func compileSharedObject(_ source: String, name: String, in directory: String, extraFlags: [String] = []) throws -> String {
    let sourcePath = directory + "/\(name).c"
    let output = directory + "/\(name).so"
    try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
    process.arguments = ["-shared", "-fPIC", "-std=c11", "-o", output, sourcePath] + extraFlags
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CompileFailure(name: name) }
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: output)
    return output
}

struct CompileFailure: Error { let name: String }

@Suite struct SharedObjectTests {
    @Test func loadsAndResolvesTheEntrySymbol() throws {
        let directory = NSTemporaryDirectory() + "aerolith-so-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let good = try compileSharedObject("int aerolith_plugin_init(void) { return 7; }\n", name: "good", in: directory)
        let (object, entry) = try SharedObject.open(try PluginFile.open(good).get()).get()
        typealias Entry = @convention(c) () -> Int32
        #expect(unsafeBitCast(entry, to: Entry.self)() == 7)
        #expect(object.symbol("missing_symbol") == nil)

        let noEntry = try compileSharedObject("int something_else(void) { return 1; }\n", name: "noentry", in: directory)
        if case .failure(let refusal) = SharedObject.open(try PluginFile.open(noEntry).get()) {
            #expect(refusal == .noEntrySymbol)
        } else {
            Issue.record("a plugin without the entry symbol loaded")
        }

        let unresolved = try compileSharedObject(
            "extern int aerolith_symbol_nobody_defines(void);\nint aerolith_plugin_init(void) { return aerolith_symbol_nobody_defines(); }\n",
            name: "unresolved", in: directory)
        switch SharedObject.open(try PluginFile.open(unresolved).get()) {
        case .success: Issue.record("a plugin with an unresolved symbol loaded")
        case .failure(let refusal):
            #expect(refusal.code == "load_failed")
            #expect(refusal.description.contains("aerolith_symbol_nobody_defines"))
        }
    }
}

/// A document store in a fresh temporary directory, removed when the value goes.
final class ScratchStore: @unchecked Sendable {
    // @unchecked: owned by one test.
    let directory: String
    let store: any DocumentStore

    init() throws {
        directory = NSTemporaryDirectory() + "aerolith-scratch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        store = try SQLiteDocumentStore(directory: directory)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

/// A temporary directory (mode 0755, as plugin directories must be) removed when the value goes.
final class ScratchDirectory: @unchecked Sendable {
    // @unchecked: owned by one test.
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "aerolith-scratch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }

    /// A fresh subdirectory, so files of the same name do not collide.
    func subdirectory() throws -> String {
        let directory = path + "/" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return directory
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
