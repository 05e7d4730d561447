import CAerolithPlugin
import Glibc

/// A host-owned output buffer (`aerolith_buffer`) for one call: a plugin appends to it through
/// the host API, the host reads it after the callback returns. It lives on the caller's stack
/// and allocates only when something is written, so a hook that writes nothing costs nothing.
/// Appends beyond the capacity are refused whole (`AEROLITH_ERR_LIMIT_EXCEEDED`).
struct HostBufferRecord {
    var storage: UnsafeMutableRawPointer?
    var count = 0
    var allocated = 0
    let capacityBytes: Int

    init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    /// Frees what was written; the record is empty afterwards.
    mutating func release() {
        guard let written = storage else { return }
        free(written)
        storage = nil
        count = 0
        allocated = 0
    }

    mutating func append(_ data: UnsafeRawBufferPointer) -> aerolith_status {
        guard data.count <= capacityBytes - count else { return aerolith_status(AEROLITH_ERR_LIMIT_EXCEEDED) }
        guard data.count > 0 else { return aerolith_status(AEROLITH_OK) }
        if count + data.count > allocated {
            let grown = min(capacityBytes, max(count + data.count, allocated * 2, HostBuffers.initialAllocationBytes))
            guard let moved = realloc(storage, grown) else { return aerolith_status(AEROLITH_ERR_UNAVAILABLE) }
            storage = moved
            allocated = grown
        }
        (storage! + count).copyMemory(from: data.baseAddress!, byteCount: data.count)
        count += data.count
        return aerolith_status(AEROLITH_OK)
    }

    var bytes: [UInt8] {
        guard let storage, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: storage, count: count))
    }

    var text: String {
        guard let storage, count > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: storage, count: count), as: UTF8.self)
    }
}

enum HostBuffers {
    /// The first allocation of a buffer that receives data, in bytes.
    static let initialAllocationBytes = 256

    /// Runs `body` with a fresh buffer of `capacityBytes`; the buffer's storage is freed after.
    static func with<T>(capacityBytes: Int, _ body: (UnsafeMutablePointer<HostBufferRecord>) -> T) -> T {
        var record = HostBufferRecord(capacityBytes: capacityBytes)
        defer { free(record.storage) }
        return withUnsafeMutablePointer(to: &record) { body($0) }
    }

    static func opaque(_ record: UnsafeMutablePointer<HostBufferRecord>) -> OpaquePointer { OpaquePointer(record) }
}

/// `aerolith_host_api.buffer_append`.
let hostBufferAppend: @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int) -> aerolith_status = { buffer, data, length in
    guard let buffer, length >= 0, length == 0 || data != nil else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
    let record = UnsafeMutablePointer<HostBufferRecord>(buffer)
    return record.pointee.append(UnsafeRawBufferPointer(start: data, count: length))
}
