import CAerolithPlugin
import Metrics
import Synchronization

/// A plugin's metrics (`metric_counter_add`, `metric_gauge_set`, `metric_histogram_record`),
/// exported as `aerolith_plugin_<name>{plugin="<plugin>",...}`.
///
/// Metric objects are created once per (name, labels) and cached. One name has one kind across
/// all plugins for the life of the process: Prometheus cannot export one name as two types.
///
/// Label values are the host's to show. A plugin may well put a tenant's collection name or
/// user id in one, and /metrics spans every tenant, so a value is exported as published only
/// for the label keys the operator lists for that plugin (`plugins.metric_label_values`);
/// every other value is exported as `redacted`. And however many values a plugin publishes,
/// one metric has at most `PluginLimits.metricLabelSetsPerMetricMax` series: later label sets fold into one
/// series whose values are all `other`.
final class PluginMetrics: Sendable {
    enum Kind: Sendable { case counter, gauge, histogram }

    private enum Handle: @unchecked Sendable {
        // @unchecked: swift-metrics handlers are thread-safe by contract; the enum only holds them.
        case counter(Counter)
        case gauge(Gauge)
        case histogram(Recorder)
    }

    static let redactedValue = "redacted"
    static let otherValue = "other"

    /// Name → kind, shared by every plugin.
    private static let kinds = Mutex<[String: Kind]>([:])
    private let plugin: String
    /// The label keys whose values are exported as the plugin published them.
    private let exportedLabelKeys: Set<String>

    private struct Series {
        /// By metric name and exported labels.
        var handles: [String: Handle] = [:]
        /// Label sets made per metric name, the `other` series not counted.
        var labelSets: [String: Int] = [:]
    }

    private let series = Mutex(Series())

    init(plugin: String, exportedLabelKeys: Set<String> = []) {
        self.plugin = plugin
        self.exportedLabelKeys = exportedLabelKeys
    }

    /// What is recorded: a counter's increment (whole, never negative) or a gauge or histogram value.
    enum Amount {
        case increment(UInt64)
        case value(Double)
    }

    func record(kind: Kind, name: aerolith_slice, labels: aerolith_slice, amount: Amount) -> aerolith_status {
        let metric = SliceText.string(name)
        guard name.len <= Int(AEROLITH_METRIC_NAME_BYTES_MAX), StructReader.isIdentifier(metric, extra: [UInt8(ascii: "_")]),
            let dimensions = Self.dimensions(SliceText.string(labels))
        else {
            return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT)
        }
        let kindMatches = Self.kinds.withLock { kinds in
            if let known = kinds[metric] { return known == kind }
            kinds[metric] = kind
            return true
        }
        guard kindMatches else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
        let published = dimensions.map { ($0.0, exportedLabelKeys.contains($0.0) ? $0.1 : Self.redactedValue) }
        let handle = series.withLock { series -> Handle in
            var exported = published
            var key = Self.key(metric, exported)
            if let handle = series.handles[key] { return handle }
            if series.labelSets[metric, default: 0] >= PluginLimits.metricLabelSetsPerMetricMax {
                exported = exported.map { ($0.0, Self.otherValue) }
                key = Self.key(metric, exported)
                if let handle = series.handles[key] { return handle }
            } else {
                series.labelSets[metric, default: 0] += 1
            }
            let label = "aerolith_plugin_" + metric
            let all = [("plugin", plugin)] + exported
            let made: Handle =
                switch kind {
                case .counter: .counter(Counter(label: label, dimensions: all))
                case .gauge: .gauge(Gauge(label: label, dimensions: all))
                case .histogram: .histogram(Recorder(label: label, dimensions: all, aggregate: true))
                }
            series.handles[key] = made
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

    private static func key(_ metric: String, _ labels: [(String, String)]) -> String {
        labels.reduce(metric) { $0 + "\u{0}" + $1.0 + "\u{1}" + $1.1 }
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
                !result.contains(where: { $0.0 == parts[0] })
            else { return nil }
            result.append((String(parts[0]), String(parts[1])))
        }
        return result
    }
}

/// `metric_counter_add`, `metric_gauge_set`, `metric_histogram_record`.
let hostMetricCounterAdd: @convention(c) (OpaquePointer?, aerolith_slice, aerolith_slice, UInt64) -> aerolith_status = {
    context, name, labels, amount in
    guard let plugin = CallContext.from(context)?.pointee.plugin else { return aerolith_status(AEROLITH_ERR_INVALID_STATE) }
    return plugin.metrics.record(kind: .counter, name: name, labels: labels, amount: .increment(amount))
}

let hostMetricGaugeSet: @convention(c) (OpaquePointer?, aerolith_slice, aerolith_slice, Double) -> aerolith_status = {
    context, name, labels, value in
    guard let plugin = CallContext.from(context)?.pointee.plugin else { return aerolith_status(AEROLITH_ERR_INVALID_STATE) }
    guard value.isFinite else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
    return plugin.metrics.record(kind: .gauge, name: name, labels: labels, amount: .value(value))
}

let hostMetricHistogramRecord: @convention(c) (OpaquePointer?, aerolith_slice, aerolith_slice, Double) -> aerolith_status = {
    context, name, labels, value in
    guard let plugin = CallContext.from(context)?.pointee.plugin else { return aerolith_status(AEROLITH_ERR_INVALID_STATE) }
    guard value.isFinite else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
    return plugin.metrics.record(kind: .histogram, name: name, labels: labels, amount: .value(value))
}
