import CAerolithPlugin

/// Reads a `struct_size`-first struct a plugin hands over, by the header's rules: copy
/// min(struct_size, the size this host knows) into a zeroed value; a larger struct is accepted
/// only if its unknown tail is all zero bytes.
enum StructReader {
    /// A struct_size larger than this is not a struct of this ABI but a corrupt pointer.
    static let structSizeBytesMax = 4_096

    static func read<T>(_ pointer: UnsafeRawPointer, as type: T.Type, name: String, requiredBytes: Int) -> Result<T, PluginRefusal> {
        let declared = Int(pointer.load(as: UInt32.self))
        let known = MemoryLayout<T>.size
        guard declared >= requiredBytes, declared <= structSizeBytesMax else {
            return .failure(.invalidDescriptor("\(name).struct_size is \(declared); expected \(requiredBytes) to \(structSizeBytesMax)"))
        }
        if declared > known {
            let tail = UnsafeRawBufferPointer(start: pointer + known, count: declared - known)
            if let offset = tail.firstIndex(where: { $0 != 0 }) {
                return .failure(.nonZeroTail(structName: name, offset: known + offset))
            }
        }
        let copy = UnsafeMutableRawPointer.allocate(byteCount: known, alignment: MemoryLayout<T>.alignment)
        defer { copy.deallocate() }
        copy.initializeMemory(as: UInt8.self, repeating: 0, count: known)
        copy.copyMemory(from: pointer, byteCount: min(declared, known))
        return .success(copy.load(as: T.self))
    }

    /// The text of a slice the plugin owns, if it is valid UTF-8 of at most `lengthBytesMax`.
    static func text(_ slice: aerolith_slice, lengthBytesMax: Int) -> String? {
        guard slice.len <= lengthBytesMax else { return nil }
        guard slice.len > 0 else { return "" }
        guard let data = slice.data else { return nil }
        return String(validating: UnsafeRawBufferPointer(start: data, count: slice.len), as: UTF8.self)
    }

    /// Whether `name` is `[a-z]` followed by `[a-z0-9<extra>]`.
    static func isIdentifier(_ name: String, extra: Set<UInt8>, firstMayBe: Set<UInt8> = []) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) || firstMayBe.contains(first) else {
            return false
        }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || extra.contains($0)
        }
    }
}
