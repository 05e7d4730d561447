import CAerolithPlugin
import Logging

/// The logger plugins write to through `aerolith_host_api.log`; each line carries the plugin.
let pluginLogger = Logger(label: "aerolith.plugin")

/// `aerolith_host_api.log`: writes a plugin's message at its level, truncated to
/// `AEROLITH_MESSAGE_BYTES_MAX` bytes.
let hostLog: @convention(c) (OpaquePointer?, UInt32, aerolith_slice) -> Void = { context, level, message in
    let length = min(message.len, Int(AEROLITH_MESSAGE_BYTES_MAX))
    let text = message.data.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""
    let plugin = context.map { Unmanaged<PluginContext>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue().path } ?? "-"
    let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
    pluginLogger.log(level: levels[Int(min(level, UInt32(levels.count - 1)))], "\(text)", metadata: ["plugin": "\(plugin)"])
}
