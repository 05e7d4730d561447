import CAerolithPluginABI

/// Log levels of `Host.log`.
public enum LogLevel: UInt32, Sendable {
    case trace = 0
    case debug, info, notice, warning, error, critical
}

/// The host functions, bound to one context: the plugin's process-wide context, or the context
/// of the callback being run (valid only until that callback returns — never keep a `Host`
/// received in a callback).
public struct Host: @unchecked Sendable {
    // @unchecked: two pointers the host guarantees valid and thread-safe for the context's life.
    let api: UnsafePointer<aerolith_host_api>
    let context: OpaquePointer?

    /// Largest value `stateGet` reads, in bytes (the header's AEROLITH_STATE_VALUE_BYTES_MAX).
    public static let stateValueBytesMax = Int(AEROLITH_STATE_VALUE_BYTES_MAX)

    public func log(_ level: LogLevel, _ message: String) {
        guard let log = api.pointee.log else { return }
        var message = message
        message.withUTF8 { log(context, level.rawValue, Slices.slice($0)) }
    }

    /// The value of `key` in this context's namespace (the tenant's, or the plugin's own), or nil.
    public func stateGet(_ key: String) throws(PluginError) -> [UInt8]? {
        guard let get = api.pointee.state_get else { throw PluginError(.unsupported, "this host has no state_get") }
        var length = 0
        var status = Slices.with(key) { get(context, $0, nil, 0, &length) }
        if status == aerolith_status(AEROLITH_ERR_NOT_FOUND) { return nil }
        guard status == aerolith_status(AEROLITH_OK) || status == aerolith_status(AEROLITH_ERR_LIMIT_EXCEEDED) else {
            throw PluginError(status: status, "state_get failed")
        }
        var value = [UInt8](repeating: 0, count: length)
        status = value.withUnsafeMutableBytes { raw in Slices.with(key) { get(context, $0, raw.baseAddress, raw.count, &length) } }
        guard status == aerolith_status(AEROLITH_OK) else { throw PluginError(status: status, "state_get failed") }
        return Array(value.prefix(length))
    }

    public func statePut(_ key: String, _ value: [UInt8]) throws(PluginError) {
        guard let put = api.pointee.state_put else { throw PluginError(.unsupported, "this host has no state_put") }
        let status = Slices.with(key) { key in Slices.with(value) { put(context, key, $0) } }
        guard status == aerolith_status(AEROLITH_OK) else { throw PluginError(status: status, "state_put failed") }
    }

    public func stateDelete(_ key: String) throws(PluginError) {
        guard let delete = api.pointee.state_delete else { throw PluginError(.unsupported, "this host has no state_delete") }
        let status = Slices.with(key) { delete(context, $0) }
        guard status == aerolith_status(AEROLITH_OK) else { throw PluginError(status: status, "state_delete failed") }
    }

    /// Keys starting with `prefix`, after `after`, as the host's JSON array text.
    public func stateList(prefix: String, after: String = "", limit: UInt32 = 100) throws(PluginError) -> String {
        guard let list = api.pointee.state_list else { throw PluginError(.unsupported, "this host has no state_list") }
        var capacity = 4_096
        while true {
            var output = [CChar](repeating: 0, count: capacity)
            var length = 0
            let status = output.withUnsafeMutableBufferPointer { buffer in
                Slices.with(prefix) { prefix in
                    Slices.with(after) { after in list(context, prefix, after, limit, buffer.baseAddress, capacity, &length) }
                }
            }
            if status == aerolith_status(AEROLITH_ERR_LIMIT_EXCEEDED), length > capacity {
                capacity = length
                continue
            }
            guard status == aerolith_status(AEROLITH_OK) else { throw PluginError(status: status, "state_list failed") }
            return String(decoding: output.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Adds to the counter `aerolith_plugin_<name>`; `labels` is "key=value,..." or empty.
    /// Returns false if the host refused it (a bad name or labels, a name used with another kind).
    @discardableResult
    public func counterAdd(_ name: String, labels: String = "", _ amount: UInt64 = 1) -> Bool {
        guard let add = api.pointee.metric_counter_add else { return false }
        return Slices.with(name) { name in Slices.with(labels) { add(context, name, $0, amount) } } == Boundary.ok
    }

    /// Sets the gauge `aerolith_plugin_<name>`; false if the host refused it.
    @discardableResult
    public func gaugeSet(_ name: String, labels: String = "", _ value: Double) -> Bool {
        guard let set = api.pointee.metric_gauge_set else { return false }
        return Slices.with(name) { name in Slices.with(labels) { set(context, name, $0, value) } } == Boundary.ok
    }

    /// Records one value in the histogram `aerolith_plugin_<name>` (durations, sizes); false if
    /// the host refused it.
    @discardableResult
    public func histogramRecord(_ name: String, labels: String = "", _ value: Double) -> Bool {
        guard let record = api.pointee.metric_histogram_record else { return false }
        return Slices.with(name) { name in Slices.with(labels) { record(context, name, $0, value) } } == Boundary.ok
    }

    /// Changes the subscription of this plugin's events hook named `hook`: the event kinds
    /// (empty pauses delivery) and the highest payload version understood. Takes effect for
    /// events published after it returns. Throws `notFound` if there is no such events hook.
    public func eventSubscriptionSet(_ hook: String, kinds: EventKinds, payloadVersion: UInt32 = 1) throws(PluginError) {
        guard let set = api.pointee.event_subscription_set else {
            throw PluginError(.unsupported, "this host has no event_subscription_set")
        }
        let status = Slices.with(hook) { set(context, $0, kinds.rawValue, payloadVersion) }
        guard status == Boundary.ok else { throw PluginError(status: status, "event_subscription_set \(hook) failed") }
    }
}

/// Slices over Swift text and bytes, for the duration of a closure.
enum Slices {
    static func slice(_ bytes: UnsafeBufferPointer<UInt8>) -> aerolith_slice {
        aerolith_slice(data: bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, len: bytes.count)
    }

    static func with<T>(_ text: String, _ body: (aerolith_slice) -> T) -> T {
        var text = text
        return text.withUTF8 { body(slice($0)) }
    }

    static func with<T>(_ bytes: [UInt8], _ body: (aerolith_slice) -> T) -> T {
        bytes.withUnsafeBufferPointer { body(slice($0)) }
    }

    static func string(_ slice: aerolith_slice) -> String {
        guard slice.len > 0, let data = slice.data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: slice.len), as: UTF8.self)
    }

    static func bytes(_ slice: aerolith_slice) -> [UInt8] {
        guard slice.len > 0, let data = slice.data else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: slice.len))
    }

    /// Static storage for text the host keeps (names, versions): allocated once, never freed.
    static func permanent(_ text: String) -> aerolith_slice {
        let bytes = Array(text.utf8)
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
        for (index, byte) in bytes.enumerated() { storage[index] = CChar(bitPattern: byte) }
        return aerolith_slice(data: UnsafePointer(storage), len: bytes.count)
    }
}
