import Foundation
import Logging
import Testing

@testable import AerolithKernel

/// ABI negotiation and descriptor checks with real C plugins, compiled here against the SDK
/// header, one variant per rule.
@Suite struct NegotiationTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures/configurable_plugin.c"
    ).path

    /// Removed with the suite instance; files stay until then (a mapped image outlives its file anyway).
    let scratch = try! ScratchDirectory()

    func build(_ name: String, _ defines: [String] = []) throws -> OpenedPluginFile {
        let directory = try scratch.subdirectory()
        let source = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        let path = try compileSharedObject(
            source, name: name, in: directory,
            extraFlags: ["-Wall", "-Wextra", "-Werror", "-I", SDKTests.sdk + "/include"] + defines.map { "-D" + $0 })
        return try PluginFile.open(path).get()
    }

    func refusal(_ defines: [String]) throws -> PluginRefusal? {
        if case .failure(let refusal) = PluginLoader.load(try build("variant", defines)) { return refusal }
        return nil
    }

    @Test func acceptsAPluginBuiltForThisABI() throws {
        let plugin = try PluginLoader.load(try build("plain")).get()
        #expect(plugin.name == "configurable" && plugin.version == "1.2.3" && plugin.buildID == "test")
        #expect(plugin.abiMajor == 1 && plugin.abiMinor == 0 && plugin.reentrant)
        #expect(plugin.functions.map(\.name) == ["add_i64"])
        #expect(plugin.functions.first?.signature == "i64(i64,i64)" && plugin.functions.first?.description == "adds two integers")
    }

    @Test func minorSkewAndZeroTailsLoad() throws {
        #expect(try refusal(["ABI_MINOR=7"]) == nil)
        #expect(try refusal(["ABI_MINOR=7", "TAIL=1"]) == nil)
    }

    @Test func refusesWhatBreaksTheRules() throws {
        #expect(try refusal(["ABI_MAJOR=2"]) == .abiMismatch(differences: ["abi major: plugin 2, host 1"]))
        #expect(try refusal(["POINTER_BYTES=4"]) == .abiMismatch(differences: ["pointer_bytes: plugin 4, host 8"]))
        #expect(
            try refusal(["ABI_MAJOR=2", "POINTER_BYTES=4"])?.description.contains(
                "abi major: plugin 2, host 1; pointer_bytes: plugin 4, host 8") == true)
        #expect(try refusal(["TAIL=2"]) == .nonZeroTail(structName: "aerolith_plugin_descriptor", offset: 176))
        #expect(try refusal(["FAIL_INIT"]) == .initFailed(status: 8, message: "no licence key configured"))
        // on_load runs when the registry starts the plugin, after the name is known to be free.
        let failing = try build("failing", ["FAIL_LOAD"])
        let plugin = try PluginLoader.load(failing).get()
        let store = try ScratchStore()
        let instance = PluginInstance(
            plugin: plugin, loadOrder: 1, services: KernelServices(keyValues: store.store.keyValues, logger: Logger(label: "test")))
        guard case .failure(let onLoad) = instance.start(configuration: Array("{}".utf8)) else {
            Issue.record("on_load's failure was ignored")
            return
        }
        #expect(onLoad == .initFailed(status: 7, message: "on_load: cannot reach the licence server"))
        #expect(try refusal(["PLUGIN_NAME=\"Bad_Name\""])?.code == "invalid_descriptor")
    }

    @Test func signaturesFollowTheGrammar() {
        #expect(FunctionSignature("i64(i64,f64)") == FunctionSignature("i64(i64,f64)"))
        #expect(FunctionSignature("void()")?.argumentTypes == [])
        for bad in ["i64", "i64(", "int(i64)", "i64(void)", "i64(i64,)", "i64( i64)", "i64(i64,i64,i64,i64,i64,i64,i64,i64,i64)"] {
            #expect(FunctionSignature(bad) == nil, "\(bad)")
        }
    }

    /// A plugin built against the frozen copy of the 1.0 header (Fixtures/frozen-abi-1.0) loads
    /// on this host, also when it claims a higher minor with a larger struct and a zero tail; a
    /// higher major built against it is refused.
    @Test func pluginsBuiltAgainstTheFrozenHeaderStillLoad() throws {
        let frozen = URL(fileURLWithPath: Self.fixture).deletingLastPathComponent().appendingPathComponent("frozen-abi-1.0").path
        func frozenBuild(_ name: String, _ defines: [String]) throws -> Result<LoadedPlugin, PluginRefusal> {
            let directory = try scratch.subdirectory()
            let source = try String(contentsOfFile: Self.fixture, encoding: .utf8)
            let path = try compileSharedObject(
                source, name: name, in: directory,
                extraFlags: ["-Wall", "-Wextra", "-Werror", "-I", frozen] + defines.map { "-D" + $0 })
            return PluginLoader.load(try PluginFile.open(path).get())
        }
        #expect(try frozenBuild("frozen", []).get().name == "configurable")
        #expect(try frozenBuild("frozen_minor", ["ABI_MINOR=9", "TAIL=1"]).get().abiMinor == 9)
        guard case .failure(let refusal) = try frozenBuild("frozen_major", ["ABI_MAJOR=2"]) else {
            Issue.record("a higher major loaded")
            return
        }
        #expect(refusal.code == "abi_mismatch")
    }
}
