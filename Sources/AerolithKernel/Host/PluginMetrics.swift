import CAerolithPlugin
import Metrics
import Synchronization

/// A plugin's metrics (`metric_counter_add`, `metric_gauge_set`, `metric_histogram_record`),
/// exported as `aerolith_plugin_<name>{plugin="<plugin>",...}`.
///
/// Metric objects are created once per (name, labels) and cached. One name has one kind across
/// all plugins for the life of the process: Prometheus cannot export one name as two types.
final class PluginMetrics: Sendable {
    enum Kind: Sendable { case counter, gauge, histogram }

    private enum Handle: @unchecked Sendable {
        // @unchecked: swift-metrics handlers are thread-safe by contract; the enum only holds them.
        case counter(Counter)
        case gauge(Gauge)
        case histogram(Recorder)
    }

    /// Name → kind, shared by every plugin.
    private static let kinds = Mutex<[String: Kind]>([:])
    private let plugin: String
    private let handles = Mutex<[String: Handle]>([:])

    init(plugin: String) { self.plugin = plugin }

    /// What is recorded: a counter's increment (whole, never negative) or a gauge or histogram value.
    enum Amount { case increment(UInt64), value(Double) }

    func record(kind: Kind, name: aerolith_slice, labels: aerolith_slice, amount: Amount) -> aerolith_status {
        let metric = SliceText.string(name)
        guard name.len <= Int(AEROLITH_METRIC_NAME_BYTES_MAX), StructReader.isIdentifier(metric, extra: [UInt8(ascii: "_")]),
              let dimensions = Self.dimensions(SliceText.string(labels)) else {
            return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT)
        }
        let kindMatches = Self.kinds.withLock { kinds in
            if let known = kinds[metric] { return known == kind }
            kinds[metric] = kind
            return true
        }
        guard kindMatches else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
        let key = metric + "\u{0}" + SliceText.string(labels)
        let handle = handles.withLock { handles -> Handle in
            if let handle = handles[key] { return handle }
            let label = "aerolith_plugin_" + metric
            let all = [("plugin", plugin)] + dimensions
            let made: Handle = switch kind {
            case .counter: .counter(Counter(label: label, dimensions: all))
            case .gauge: .gauge(Gauge(label: label, dimensions: all))
            case .histogram: .histogram(Recorder(label: label, dimensions: all, aggregate: true))
            }
            handles[key] = made
            return made
        }
        switch (handle, amount) {
        case (.counter(let counter), .increment(let increment)): counter.increment(by: Int64(clamping: increment))
        case (.gauge(let gauge), .value(let value)): gauge.record(value)
        case (.histogram(let recorder), .value(let value)): recorder.record(value)
        default: return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT)
        }
        return aerolith_status(AEROLITH_OK)
    }

    /// "key=value,key=value" → pairs; nil if malformed, too many, or using the reserved key.
    private static func dimensions(_ text: String) -> [(String, String)]? {
        guard !text.isEmpty else { return [] }
        let pairs = text.split(separator: ",", omittingEmptySubsequences: false)
        guard pairs.count <= Int(AEROLITH_METRIC_LABELS_COUNT_MAX) else { return nil }
        var result: [(String, String)] = []
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, StructReader.isIdentifier(String(parts[0]), extra: [UInt8(ascii: "_")]), parts[0] != "plugin",
                  !result.contains(where: { $0.0 == parts[0] }) else { return nil }
            result.append((String(parts[0]), String(parts[1])))
        }
        return result
    }
}

/// `metric_counter_add`, `metric_gauge_set`, `metric_histogram_record`.
let hostMetricCounterAdd: @convention(c) (OpaquePointer?, aerolith_slice, aerolith_slice, UInt64) -> aerolith_status = { context, name, labels, amount in
    guard let plugin = CallContext.from(context)?.pointee.plugin else { return aerolith_status(AEROLITH_ERR_INVALID_STATE) }
    return plugin.metrics.record(kind: .counter, name: name, labels: labels, amount: .increment(amount))
}

let hostMetricGaugeSet: @convention(c) (OpaquePointer?, aerolith_slice, aerolith_slice, Double) -> aerolith_status = { context, name, labels, value in
    guard let plugin = CallContext.from(context)?.pointee.plugin else { return aerolith_status(AEROLITH_ERR_INVALID_STATE) }
    guard value.isFinite else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
    return plugin.metrics.record(kind: .gauge, name: name, labels: labels, amount: .value(value))
}

let hostMetricHistogramRecord: @convention(c) (OpaquePointer?, aerolith_slice, aerolith_slice, Double) -> aerolith_status = { context, name, labels, value in
    guard let plugin = CallContext.from(context)?.pointee.plugin else { return aerolith_status(AEROLITH_ERR_INVALID_STATE) }
    guard value.isFinite else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
    return plugin.metrics.record(kind: .histogram, name: name, labels: labels, amount: .value(value))
}
