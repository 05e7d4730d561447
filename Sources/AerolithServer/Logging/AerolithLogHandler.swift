import AerolithStorage
import Foundation
import Logging

/// A log handler writing one line per message to standard error:
/// `2026-11-28T13:37:28.123Z notice aerolith: request_id=… tenant=… message`.
///
/// Unlike swift-log's `StreamLogHandler`, it formats metadata only when a message is actually
/// written. The HTTP server attaches a request id to a logger on every request; formatting then
/// cost about a tenth of a simple request's CPU time.
public struct AerolithLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line = Timestamp.now().rfc3339 + " " + event.level.rawValue + " " + label + ":"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where key != "hb.request.id" {
            line += " \(key)=\(value)"
        }
        line += " " + event.message.description + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
