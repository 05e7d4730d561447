import CAerolithPlugin

/// Text lent to a plugin for one call, copied side by side into one buffer on the dispatching
/// thread's stack: one flat block of code per call site instead of one nested closure per
/// string (a pyramid of closures compiles into tens of kilobytes that are cold on every request).
struct TextArena {
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    /// Room for the texts of a typical call (ids, names, a role), kept on the stack: 256 bytes.
    private typealias StackStorage = SIMD32<UInt64>
    static var stackCapacityBytes: Int { MemoryLayout<StackStorage>.size }

    /// Runs `body` with a buffer of at least `byteCount` bytes for an arena: the sum of the
    /// UTF-8 counts of the texts it will hold. Up to `stackCapacityBytes` it lives on the stack. Keep
    /// `body` to one call of a function taking the texts as parameters: texts captured by a
    /// closure that is not inlined are retained and released on every call.
    @inline(__always)
    static func withBuffer<T>(byteCount: Int, _ body: (UnsafeMutableRawBufferPointer) -> T) -> T {
        guard byteCount > stackCapacityBytes else {
            var storage = StackStorage()
            return withUnsafeMutableBytes(of: &storage, body)
        }
        let heap = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 1)
        defer { heap.deallocate() }
        return body(heap)
    }

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
