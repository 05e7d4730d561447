/// What the operator configures about plugins (the `plugins` object of the configuration file).
public struct PluginSettings: Sendable, Equatable {
    /// Chain order overrides by hook kind: "plugin/hook" names that run first, in this order.
    public var order: [HookKind: [String]]
    /// Each plugin's configuration, one JSON object, handed to its `on_configure`.
    public var configuration: [String: [UInt8]]
    /// The isolation strategy that places tenants' data, as "plugin/hook"; nil: the built-in one.
    public var isolationStrategy: String?
    /// Per plugin, the metric label keys whose values /metrics shows as the plugin published
    /// them; every other plugin label value shows as `redacted` (it may be a tenant's data).
    public var metricLabelValues: [String: Set<String>]

    public init(
        order: [HookKind: [String]] = [:], configuration: [String: [UInt8]] = [:], isolationStrategy: String? = nil,
        metricLabelValues: [String: Set<String>] = [:]
    ) {
        self.order = order
        self.configuration = configuration
        self.isolationStrategy = isolationStrategy
        self.metricLabelValues = metricLabelValues
    }

    static let emptyConfiguration = Array("{}".utf8)

    func configuration(for plugin: String) -> [UInt8] { configuration[plugin] ?? Self.emptyConfiguration }
}
