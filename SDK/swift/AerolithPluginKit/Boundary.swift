import CAerolithPluginABI

/// The host API table of this image, set once by `AerolithPluginKit.initialize` before the host
/// can call anything else (the header guarantees init runs first and alone).
nonisolated(unsafe) var hostAPI: UnsafePointer<aerolith_host_api>!
/// The plugin's process-wide context, set with `hostAPI` and never changed after.
nonisolated(unsafe) var processContext: OpaquePointer?

/// The boundary: runs a Swift callback, turning a thrown error into a status and a message in
/// `call->message`. Nothing unwinds into the host.
enum Boundary {
    static let ok = aerolith_status(AEROLITH_OK)
    static let invalid = aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT)

    static func run(_ call: UnsafePointer<aerolith_call>?, _ body: (Call) throws -> Void) -> aerolith_status {
        guard let call else { return invalid }
        do {
            try body(Call(call, api: hostAPI))
            return ok
        } catch let error as PluginError {
            write(error.message, to: call.pointee.message)
            return aerolith_status(error.status)
        } catch {
            write(String(describing: error), to: call.pointee.message)
            return aerolith_status(AEROLITH_ERR_INTERNAL)
        }
    }

    /// Appends text to a host buffer, cut to what fits the header's message limit.
    static func write(_ text: String, to buffer: OpaquePointer?) {
        guard let buffer, let append = hostAPI.pointee.buffer_append else { return }
        let bytes = Array(text.utf8.prefix(Int(AEROLITH_MESSAGE_BYTES_MAX)))
        _ = bytes.withUnsafeBytes { append(buffer, $0.baseAddress, $0.count) }
    }

    /// Appends bytes to a host buffer; throws if they do not fit.
    static func append(_ bytes: [UInt8], to buffer: OpaquePointer?) throws(PluginError) {
        guard let buffer, let append = hostAPI.pointee.buffer_append else { throw PluginError(.invalidState, "no output buffer") }
        let status = bytes.withUnsafeBytes { append(buffer, $0.baseAddress, $0.count) }
        guard status == ok else { throw PluginError(.limitExceeded, "the output does not fit the host's buffer") }
    }
}

/// A hook's Swift function, reached through the registration's user data.
final class HookBox: Sendable {
    let function: Hook.Function
    init(_ function: Hook.Function) { self.function = function }

    static func from(_ userData: UnsafeMutableRawPointer?) -> Hook.Function? {
        userData.map { Unmanaged<HookBox>.fromOpaque($0).takeUnretainedValue().function }
    }
}

/// The plugin's lifecycle closures, reached through the descriptor's user data.
final class PluginBox: Sendable {
    let plugin: Plugin
    init(_ plugin: Plugin) { self.plugin = plugin }

    static func from(_ userData: UnsafeMutableRawPointer?) -> Plugin? {
        userData.map { Unmanaged<PluginBox>.fromOpaque($0).takeUnretainedValue().plugin }
    }
}
