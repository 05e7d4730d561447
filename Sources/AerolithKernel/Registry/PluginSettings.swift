/// What the operator configures about plugins (the `plugins` object of the configuration file).
public struct PluginSettings: Sendable, Equatable {
    /// Chain order overrides by hook kind: "plugin/hook" names that run first, in this order.
    public var order: [HookKind: [String]]
    /// Each plugin's configuration, one JSON object, handed to its `on_configure`.
    public var configuration: [String: [UInt8]]
    /// The isolation strategy that places tenants' data, as "plugin/hook"; nil: the built-in one.
    public var isolationStrategy: String?

    public init(order: [HookKind: [String]] = [:], configuration: [String: [UInt8]] = [:], isolationStrategy: String? = nil) {
        self.order = order
        self.configuration = configuration
        self.isolationStrategy = isolationStrategy
    }

    static let emptyConfiguration = Array("{}".utf8)

    func configuration(for plugin: String) -> [UInt8] { configuration[plugin] ?? Self.emptyConfiguration }
}
