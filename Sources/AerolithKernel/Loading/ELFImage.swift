#if canImport(Glibc)
import Glibc
#endif

/// The checks made on a plugin file's bytes before the dynamic loader sees them: a 64-bit ELF
/// shared object for this machine's word size, and complete — every table and loadable segment
/// its header names lies within the file. A file still being written (`make` writing into the
/// plugin directory) is refused and tried again at the next scan instead of being mapped short,
/// which would fault when the missing pages are touched.
enum ELFImage {
    static let headerSizeBytes = 64
    static let sharedObjectType: UInt16 = 3
    static let loadableSegmentType: UInt32 = 1
    /// Most program headers read; real shared objects have about a dozen.
    static let programHeaderCountMax = 256
    static let programHeaderSizeBytes = 56

    /// Nil if the `sizeBytes` bytes behind `descriptor` pass, else why not. Reads with `pread`,
    /// so the descriptor's offset is left alone.
    static func refusal(descriptor: Int32, sizeBytes: Int) -> PluginRefusal? {
        guard let header = read(descriptor, offset: 0, count: headerSizeBytes), header.count >= 18,
            header[0] == 0x7F, header[1] == UInt8(ascii: "E"), header[2] == UInt8(ascii: "L"), header[3] == UInt8(ascii: "F")
        else {
            return .notELF
        }
        guard header[4] == (MemoryLayout<Int>.size == 8 ? 2 : 1) else { return .wrongClass }
        // Fields in the file's byte order (EI_DATA: 1 little-endian, 2 big-endian).
        let bigEndian = header[5] == 2
        func field(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> Int {
            var value = 0
            for index in 0..<width { value |= Int(bytes[offset + (bigEndian ? width - 1 - index : index)]) << (8 * index) }
            return value
        }
        let type = UInt16(field(header, 16, 2))
        guard type == sharedObjectType else { return .notSharedObject(elfType: type) }
        guard header.count == headerSizeBytes else { return .incompleteFile(sizeBytes: sizeBytes) }
        // e_phoff, e_shoff, e_phentsize, e_phnum, e_shentsize, e_shnum of an ELF64 header.
        let programOffset = field(header, 32, 8)
        let sectionOffset = field(header, 40, 8)
        let programEntry = field(header, 54, 2)
        let programCount = field(header, 56, 2)
        let sectionEntry = field(header, 58, 2)
        let sectionCount = field(header, 60, 2)
        guard within(sectionOffset, sectionEntry * sectionCount, sizeBytes), within(programOffset, programEntry * programCount, sizeBytes)
        else {
            return .incompleteFile(sizeBytes: sizeBytes)
        }
        guard programCount > 0 else { return nil }
        guard programEntry >= programHeaderSizeBytes, programCount <= programHeaderCountMax,
            let table = read(descriptor, offset: programOffset, count: programEntry * programCount),
            table.count == programEntry * programCount
        else {
            return .incompleteFile(sizeBytes: sizeBytes)
        }
        for index in 0..<programCount {
            let base = index * programEntry
            // p_type, p_offset, p_filesz of an ELF64 program header.
            guard UInt32(field(table, base, 4)) == loadableSegmentType else { continue }
            guard within(field(table, base + 8, 8), field(table, base + 32, 8), sizeBytes) else {
                return .incompleteFile(sizeBytes: sizeBytes)
            }
        }
        return nil
    }

    /// Whether `count` bytes from `offset` lie within `sizeBytes` (no overflow on hostile values).
    private static func within(_ offset: Int, _ count: Int, _ sizeBytes: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= sizeBytes && count <= sizeBytes - offset
    }

    private static func read(_ descriptor: Int32, offset: Int, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        guard got >= 0 else { return nil }
        return Array(bytes.prefix(got))
    }
}
