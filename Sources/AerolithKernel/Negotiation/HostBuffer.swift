import CAerolithPlugin

/// A host-owned output buffer (`aerolith_buffer`): a plugin appends to it through the host API
/// during one call, and the host reads it afterwards. Appends beyond the capacity are refused
/// whole (`AEROLITH_ERR_LIMIT_EXCEEDED`).
final class HostBuffer {
    private(set) var bytes: [UInt8] = []
    let capacityBytes: Int

    init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    /// The opaque pointer handed to the plugin; valid while `self` is alive (the caller keeps it
    /// alive for the duration of the call).
    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    func append(_ data: UnsafeRawBufferPointer) -> aerolith_status {
        guard bytes.count + data.count <= capacityBytes else { return aerolith_status(AEROLITH_ERR_LIMIT_EXCEEDED) }
        bytes.append(contentsOf: data)
        return aerolith_status(AEROLITH_OK)
    }
}

/// `aerolith_host_api.buffer_append`.
let hostBufferAppend: @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int) -> aerolith_status = { buffer, data, length in
    guard let buffer else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
    guard length >= 0, length == 0 || data != nil else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
    let target = Unmanaged<HostBuffer>.fromOpaque(UnsafeRawPointer(buffer)).takeUnretainedValue()
    return target.append(UnsafeRawBufferPointer(start: data, count: length))
}
