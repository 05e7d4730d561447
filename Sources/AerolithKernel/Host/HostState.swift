import AerolithJSON
import AerolithStorage
import CAerolithPlugin

/// Plugin-private persistent state (`state_get`, `state_put`, `state_delete`, `state_list`), kept
/// in the core store's key-value table. A plugin reaches only its own namespaces: the
/// process-wide one (`plugin/<name>`) or, with a tenant context, the tenant's
/// (`plugin/<name>/tenant/<id>`).
enum HostState {
    static func namespace(_ context: CallContext, plugin: PluginInstance) -> String {
        context.tenantID.len == 0 ? "plugin/\(plugin.name)" : "plugin/\(plugin.name)/tenant/\(context.tenant)"
    }

    /// Checks the context and key; returns the store, namespace and key bytes.
    static func resolve(_ opaque: OpaquePointer?, key: aerolith_slice, allowEmptyKey: Bool = false)
        -> Result<(any KeyValueStore, String, [UInt8]), Status>
    {
        guard let context = CallContext.from(opaque)?.pointee, let plugin = context.plugin else {
            return .failure(Status(AEROLITH_ERR_INVALID_STATE))
        }
        guard key.len <= Int(AEROLITH_STATE_KEY_BYTES_MAX), key.len > 0 || allowEmptyKey, key.len == 0 || key.data != nil else {
            return .failure(Status(AEROLITH_ERR_INVALID_ARGUMENT))
        }
        let bytes = SliceText.bytes(key)
        guard String(validating: bytes, as: UTF8.self) != nil else { return .failure(Status(AEROLITH_ERR_INVALID_ARGUMENT)) }
        return .success((plugin.services.keyValues, namespace(context, plugin: plugin), bytes))
    }

    struct Status: Error {
        let code: aerolith_status
        init(_ code: Int) { self.code = aerolith_status(code) }
    }

    static let ok = aerolith_status(AEROLITH_OK)

    /// Copies `bytes` into plugin memory if they fit; always reports their length.
    static func copy(_ bytes: [UInt8], into output: UnsafeMutableRawPointer?, capacity: Int, length: UnsafeMutablePointer<Int>)
        -> aerolith_status
    {
        length.pointee = bytes.count
        guard bytes.count <= capacity else { return aerolith_status(AEROLITH_ERR_LIMIT_EXCEEDED) }
        if let output, !bytes.isEmpty { bytes.withUnsafeBytes { output.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) } }
        return ok
    }
    static let unavailable = aerolith_status(AEROLITH_ERR_UNAVAILABLE)
}

let hostStateGet:
    @convention(c) (OpaquePointer?, aerolith_slice, UnsafeMutableRawPointer?, Int, UnsafeMutablePointer<Int>?) -> aerolith_status = {
        context, key, output, capacity, length in
        guard let length, capacity >= 0, capacity == 0 || output != nil else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
        switch HostState.resolve(context, key: key) {
        case .failure(let status): return status.code
        case .success(let (store, namespace, key)):
            let found: [UInt8]?
            do {
                found = try store.value(namespace: namespace, key: key)
            } catch {
                return HostState.unavailable
            }
            guard let value = found else { return aerolith_status(AEROLITH_ERR_NOT_FOUND) }
            return HostState.copy(value, into: output, capacity: capacity, length: length)
        }
    }

let hostStatePut: @convention(c) (OpaquePointer?, aerolith_slice, aerolith_slice) -> aerolith_status = { context, key, value in
    guard value.len <= Int(AEROLITH_STATE_VALUE_BYTES_MAX), value.len == 0 || value.data != nil else {
        return value.len > Int(AEROLITH_STATE_VALUE_BYTES_MAX)
            ? aerolith_status(AEROLITH_ERR_LIMIT_EXCEEDED) : aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT)
    }
    switch HostState.resolve(context, key: key) {
    case .failure(let status): return status.code
    case .success(let (store, namespace, key)):
        do {
            try store.put(namespace: namespace, key: key, value: SliceText.bytes(value))
            return HostState.ok
        } catch {
            return HostState.unavailable
        }
    }
}

let hostStateDelete: @convention(c) (OpaquePointer?, aerolith_slice) -> aerolith_status = { context, key in
    switch HostState.resolve(context, key: key) {
    case .failure(let status): return status.code
    case .success(let (store, namespace, key)):
        do {
            try store.delete(namespace: namespace, key: key)
            return HostState.ok
        } catch {
            return HostState.unavailable
        }
    }
}

let hostStateList:
    @convention(c) (
        OpaquePointer?, aerolith_slice, aerolith_slice, UInt32, UnsafeMutablePointer<CChar>?, Int,
        UnsafeMutablePointer<Int>?
    ) -> aerolith_status = { context, prefix, after, limit, output, capacity, length in
        guard let length, capacity >= 0, capacity == 0 || output != nil, limit <= UInt32(AEROLITH_STATE_LIST_COUNT_MAX),
            after.len <= Int(AEROLITH_STATE_KEY_BYTES_MAX), after.len == 0 || after.data != nil
        else {
            return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT)
        }
        switch HostState.resolve(context, key: prefix, allowEmptyKey: true) {
        case .failure(let status): return status.code
        case .success(let (store, namespace, prefixBytes)):
            guard let keys = try? store.keys(namespace: namespace, prefix: prefixBytes, after: SliceText.bytes(after), limit: Int(limit))
            else {
                return HostState.unavailable
            }
            let json = JSONWriter.bytes(.array(keys.map { .string(String(decoding: $0, as: UTF8.self)) }))
            return HostState.copy(json, into: UnsafeMutableRawPointer(output), capacity: capacity, length: length)
        }
    }
