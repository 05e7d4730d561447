import CAerolithPrivateImage

#if canImport(Glibc)
import Glibc
#endif

/// A plugin file opened and checked (`PluginFile.open`), holding the descriptor the checks were
/// made on. The loader maps a private copy made from this descriptor, never the path again.
final class OpenedPluginFile {
    /// Closes its descriptor when it goes.
    final class Descriptor: Sendable {
        let value: Int32
        init(_ value: Int32) { self.value = value }
        deinit { close(value) }
    }

    let file: PluginFile
    let descriptor: Descriptor

    /// Most bytes of the file's name given to the copy.
    static let copyNameBytesMax = 200
    /// Bytes copied per read.
    static let copyChunkBytes = 256 * 1_024

    init(file: PluginFile, descriptor: Descriptor) {
        self.file = file
        self.descriptor = descriptor
    }

    /// A private copy of the file: an anonymous memory file, sealed against every change, with
    /// the checked bytes. Nothing written to the plugin directory afterwards — a `cp` over the
    /// file, `make` writing into it — reaches code mapped from the copy; a rewrite is simply a
    /// new version. Refused if the file changed while it was being read.
    func privateCopy() -> Result<Descriptor, PluginRefusal> {
        // A name for /proc/<pid>/maps and debuggers; the kernel takes at most 249 bytes.
        let name =
            "aerolith-plugin:" + String(decoding: PluginFile.split(file.realPath).name.utf8.prefix(Self.copyNameBytesMax), as: UTF8.self)
        let copy = aerolith_private_image_create(name)
        guard copy >= 0 else { return .failure(.loadFailed(message: "cannot make a private copy of \(file.path): errno \(errno)")) }
        let owned = Descriptor(copy)
        var buffer = [UInt8](repeating: 0, count: Self.copyChunkBytes)
        var copied = 0
        while copied <= file.identity.size {
            let got = buffer.withUnsafeMutableBytes { pread(descriptor.value, $0.baseAddress, Self.copyChunkBytes, off_t(copied)) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { return .failure(.loadFailed(message: "cannot read \(file.path): errno \(errno)")) }
            if got == 0 { break }
            guard buffer.withUnsafeBytes({ Self.writeAll(copy, $0.baseAddress!, got) }) else {
                return .failure(.loadFailed(message: "cannot make a private copy of \(file.path): errno \(errno)"))
            }
            copied += got
        }
        var status = stat()
        guard fstat(descriptor.value, &status) == 0, PluginFile.Identity(status) == file.identity, copied == file.identity.size else {
            return .failure(.changedWhileLoading(path: file.path))
        }
        guard aerolith_private_image_seal(copy) == 0 else {
            return .failure(.loadFailed(message: "cannot seal the private copy of \(file.path): errno \(errno)"))
        }
        if let refusal = ELFImage.refusal(descriptor: copy, sizeBytes: copied) { return .failure(refusal) }
        return .success(owned)
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Bool {
        var written = 0
        while written < count {
            let result = write(descriptor, bytes + written, count - written)
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { return false }
            written += result
        }
        return true
    }
}
