import Foundation
import Testing

@testable import AerolithKernel

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct PluginFileTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "aerolith-plugins-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }

    func write(_ name: String, _ bytes: [UInt8], mode: Int = 0o644) throws -> String {
        let path = directory + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: mode])
        return path
    }

    /// A 64-byte little-endian ELF64 header of the given type.
    func elfHeader(type: UInt16, elfClass: UInt8 = 2) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 64)
        header[0...3] = [0x7F, 0x45, 0x4C, 0x46]
        header[4] = elfClass
        header[5] = 1
        header[16] = UInt8(type & 0xFF)
        header[17] = UInt8(type >> 8)
        return header
    }

    func refusal(_ path: String) -> PluginRefusal? {
        if case .failure(let refusal) = PluginFile.inspect(path) { return refusal }
        return nil
    }

    @Test func refusesWhatIsNotASharedObject() throws {
        #expect(refusal(try write("text.so", Array("not a library\n".utf8))) == .notELF)
        #expect(refusal(try write("empty.so", [])) == .notELF)
        #expect(refusal(try write("exec.so", elfHeader(type: 2))) == .notSharedObject(elfType: 2))
        #expect(refusal(try write("object.so", elfHeader(type: 1))) == .notSharedObject(elfType: 1))
        #expect(refusal(try write("class32.so", elfHeader(type: 3, elfClass: 1))) == .wrongClass)
        #expect(refusal(try write("ok.so", elfHeader(type: 3))) == nil)
    }

    @Test func refusesFilesOthersCouldReplace() throws {
        let writable = try write("writable.so", elfHeader(type: 3), mode: 0o666)
        #expect(refusal(writable)?.code == "unsafe_permissions")
        let groupWritable = try write("group.so", elfHeader(type: 3), mode: 0o664)
        #expect(refusal(groupWritable)?.code == "unsafe_permissions")
        let fine = try write("fine.so", elfHeader(type: 3))
        #expect(chmod(directory, 0o777) == 0)
        #expect(refusal(fine)?.code == "unsafe_permissions")
        #expect(chmod(directory, 0o755) == 0)
        #expect(refusal(fine) == nil)
        if geteuid() == 0 {
            #expect(chown(fine, 4_242, 4_242) == 0)
            #expect(refusal(fine) == .wrongOwner(path: fine, owner: 4_242))
        }
    }

    @Test func sameFileHasOneIdentity() throws {
        let original = try write("lib.so", elfHeader(type: 3))
        let link = directory + "/alias.so"
        #expect(symlink(original, link) == 0)
        let first = try PluginFile.inspect(original).get()
        let second = try PluginFile.inspect(link).get()
        #expect(first.identity == second.identity)
    }

    @Test func aLinkIsCheckedWhereItLeads() throws {
        // A file that passes every check itself, in a directory anyone may write to.
        let open = directory + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        #expect(chmod(open, 0o777) == 0)
        let target = open + "/lib.so"
        FileManager.default.createFile(atPath: target, contents: Data(elfHeader(type: 3)), attributes: [.posixPermissions: 0o644])
        let link = directory + "/linked.so"
        #expect(symlink(target, link) == 0)
        #expect(refusal(link) == .unsafePermissions(path: open, mode: 0o40777))
        // The same file in a safe directory, through a link: accepted, as what it really is.
        #expect(chmod(open, 0o755) == 0)
        let file = try PluginFile.inspect(link).get()
        #expect(file.path == link && file.realPath == target)
    }

    @Test func refusesAFileShorterThanItsHeadersSay() throws {
        var header = elfHeader(type: 3)
        header[40] = 0x00
        header[41] = 0x10 // section headers at 4096, past the end
        header[58] = 64
        header[60] = 2
        #expect(refusal(try write("short.so", header)) == .incompleteFile(sizeBytes: 64))
        #expect(refusal(try write("fifo-free.so", Array(header.prefix(40)))) == .incompleteFile(sizeBytes: 40))
    }

    @Test func directoriesAreScannedInOrderWithoutRepeats() throws {
        _ = try write("b.so", elfHeader(type: 3))
        _ = try write("a.so", elfHeader(type: 3))
        _ = try write("notes.txt", [])
        _ = try write(".hidden.so", elfHeader(type: 3))
        let directories = PluginDirectories(
            dataDirectory: "/nonexistent", extra: [directory, directory],
            environment: ["AEROLITH_PLUGIN_PATH": directory + "::/also/missing"], besideExecutable: nil)
        #expect(directories.paths == ["/nonexistent/plugins", directory, "/also/missing"])
        #expect(directories.candidateFiles() == [directory + "/a.so", directory + "/b.so"])
    }
}
