import CAerolithPlugin

/// Texts lent to a plugin for one call, copied side by side into one buffer the caller owns:
/// one flat block of code per call site instead of one nested closure per string (a pyramid of
/// closures compiles into tens of kilobytes that are cold on every request).
struct TextArena {
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    /// Copies `text`'s UTF-8 into the arena and returns a slice of the copy.
    @inline(__always)
    mutating func slice(_ text: String) -> aerolith_slice {
        let destination = UnsafeMutableRawBufferPointer(rebasing: buffer[used...])
        let copied = text.utf8.withContiguousStorageIfAvailable { source in
            destination.copyMemory(from: UnsafeRawBufferPointer(source))
            return source.count
        } ?? Self.copyBytewise(text, into: destination)
        defer { used += copied }
        return aerolith_slice(data: destination.baseAddress?.assumingMemoryBound(to: CChar.self), len: copied)
    }

    /// Text without contiguous UTF-8 (bridged), byte by byte.
    private static func copyBytewise(_ text: String, into destination: UnsafeMutableRawBufferPointer) -> Int {
        var count = 0
        for byte in text.utf8 {
            destination[count] = byte
            count += 1
        }
        return count
    }
}

/// The texts of one call copied side by side into a fixed buffer that lives in the caller's
/// frame: no allocation and no closure holding the texts (a closure that is not inlined
/// retains and releases every text it captures, on every call).
struct InlineTexts {
    /// 256 bytes: ids, a role, a request id. Longer texts take `TextArena`.
    private var storage = SIMD32<UInt64>()
    private var used = 0

    static var capacityBytes: Int { MemoryLayout<SIMD32<UInt64>>.size }

    /// Copies `text`'s UTF-8 in and returns where it sits, or nil if it does not fit.
    @inline(__always)
    mutating func append(_ text: String) -> Range<Int>? {
        let start = used
        let room = Self.capacityBytes - used
        let copied: Int? = withUnsafeMutableBytes(of: &storage) { buffer in
            text.utf8.withContiguousStorageIfAvailable { source -> Int? in
                guard source.count <= room else { return nil }
                UnsafeMutableRawBufferPointer(rebasing: buffer[start...]).copyMemory(from: UnsafeRawBufferPointer(source))
                return source.count
            } ?? nil
        }
        guard let copied else { return nil }
        used += copied
        return start..<used
    }

    /// Runs `body` with the bytes; slices of them are valid until it returns.
    @inline(__always)
    mutating func withBytes<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        withUnsafeBytes(of: &storage, body)
    }
}
