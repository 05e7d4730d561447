import CAerolithPlugin
import Logging

/// The logger plugins write to through `aerolith_host_api.log`.
let pluginLogger = Logger(label: "aerolith.plugin")

/// `aerolith_host_api.log`: writes a plugin's message at its level, truncated to
/// `AEROLITH_MESSAGE_BYTES_MAX` bytes, with the plugin, tenant and request as metadata.
let hostLog: @convention(c) (OpaquePointer?, UInt32, aerolith_slice) -> Void = { context, level, message in
    let length = max(0, min(message.len, Int(AEROLITH_MESSAGE_BYTES_MAX)))
    let text = message.data.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""
    let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
    // A context that is not the current call's, or a disabled plugin's: nothing is logged.
    guard let context = CallContext.from(context)?.pointee else { return }
    var metadata: Logger.Metadata = ["plugin": "\(context.plugin?.name ?? "(loading)")"]
    if context.tenantID.len > 0 { metadata["tenant"] = "\(context.tenant)" }
    if context.requestID.len > 0 { metadata["request_id"] = "\(context.request)" }
    pluginLogger.log(level: levels[Int(min(level, UInt32(levels.count - 1)))], "\(text)", metadata: metadata)
}
