import CAerolithPlugin
import Glibc
import Synchronization

/// What an `aerolith_context` points at: which plugin, tenant and request a host function is
/// called for. A hook's context lives on the dispatching thread's stack for the duration of the
/// callback (the header: valid until the callback returns); a plugin's process-wide context is
/// allocated once and never freed, like the image it belongs to. Plugins see it only as an
/// opaque pointer, so its layout is the host's own.
struct CallContext {
    /// The plugin's instance, unretained (instances are immortal); nil only in the process-wide
    /// context of a plugin whose init has not been accepted yet.
    var instance: UnsafeMutableRawPointer?
    /// Borrowed from the dispatcher for the duration of the call; empty process-wide.
    var tenantID: aerolith_slice
    var requestID: aerolith_slice

    init(instance: Unmanaged<PluginInstance>?, tenantID: aerolith_slice, requestID: aerolith_slice) {
        self.instance = instance?.toOpaque()
        self.tenantID = tenantID
        self.requestID = requestID
    }

    /// The context a host function was called with, if it may act on it: the context of the call
    /// running on this thread (a hook's or a lifecycle callback's), or a plugin's process-wide
    /// context while that plugin is enabled. Anything else — a hook's context kept past its
    /// callback, the process-wide context of a disabled or unloaded plugin — is nil, and the
    /// host function does nothing. A kept hook context is never read: its memory is gone.
    static func from(_ opaque: OpaquePointer?) -> UnsafeMutablePointer<CallContext>? {
        guard let opaque else { return nil }
        let address = UnsafeMutableRawPointer(opaque)
        let context = UnsafeMutablePointer<CallContext>(opaque)
        if CurrentCall.context == address { return context }
        guard processWide.withLock({ $0.contains(UInt(bitPattern: address)) }) else { return nil }
        guard let plugin = context.pointee.plugin, plugin.acceptsHostCalls.load(ordering: .acquiring) else { return nil }
        return context
    }

    /// Every process-wide context handed out: they are never freed, so reading one is safe.
    private static let processWide = Mutex<Set<UInt>>([])

    var plugin: PluginInstance? { instance.map { Unmanaged<PluginInstance>.fromOpaque($0).takeUnretainedValue() } }

    /// A process-wide context for a plugin being loaded, bound to its instance once accepted.
    /// Never freed: the plugin may keep it until it is unloaded, and images are never unmapped.
    static func allocateProcessWide() -> UnsafeMutablePointer<CallContext> {
        let context = UnsafeMutablePointer<CallContext>.allocate(capacity: 1)
        context.initialize(to: CallContext(instance: nil, tenantID: aerolith_slice(), requestID: aerolith_slice()))
        processWide.withLock { _ = $0.insert(UInt(bitPattern: context)) }
        return context
    }

    var tenant: String { SliceText.string(tenantID) }
    var request: String { SliceText.string(requestID) }
}

/// The context of the call into a plugin running on this thread: what host functions check
/// their context against. Nested calls (a host function that calls into another plugin) restore
/// the outer one when they return.
enum CurrentCall {
    /// The thread-specific slot.
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key for plugin calls")
        return key
    }()

    static var context: UnsafeMutableRawPointer? { pthread_getspecific(key) }

    /// Runs `body` with `context` as this thread's current call.
    @inline(__always)
    static func with<T>(_ context: OpaquePointer?, _ body: () -> T) -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, context.map { UnsafeRawPointer($0) })
        defer { pthread_setspecific(key, previous) }
        return body()
    }
}

/// Text from slices and slices of text, for the boundary.
enum SliceText {
    static func string(_ slice: aerolith_slice) -> String {
        guard slice.len > 0, let data = slice.data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: slice.len), as: UTF8.self)
    }

    static func bytes(_ slice: aerolith_slice) -> [UInt8] {
        guard slice.len > 0, let data = slice.data else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: slice.len))
    }

    /// A slice over `bytes`, valid while `bytes` is pinned by the caller.
    static func slice(_ bytes: UnsafeRawBufferPointer) -> aerolith_slice {
        aerolith_slice(data: bytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: bytes.count)
    }

    /// Runs `body` with a slice of `text`'s UTF-8.
    @inline(__always)
    static func with<T>(_ text: String, _ body: (aerolith_slice) -> T) -> T {
        // Native strings lend their UTF-8 without a copy; others (bridged) are copied once.
        if let result = text.utf8.withContiguousStorageIfAvailable({ body(slice(UnsafeRawBufferPointer($0))) }) { return result }
        var copy = text
        return copy.withUTF8 { body(slice(UnsafeRawBufferPointer($0))) }
    }

    static func with<T>(_ bytes: [UInt8], _ body: (aerolith_slice) -> T) -> T {
        bytes.withUnsafeBytes { body(slice($0)) }
    }
}
