/// Limits applied while parsing untrusted JSON. Every document body, patch and filter is parsed
/// with these, so a hostile request cannot exhaust the stack or memory.
public struct JSONLimits: Sendable {
    /// The deepest nesting of arrays and objects accepted (the top-level value is depth 1).
    public var depthMax: Int
    /// The largest input accepted, in bytes of UTF-8.
    public var sizeBytesMax: Int

    public init(depthMax: Int, sizeBytesMax: Int) {
        self.depthMax = depthMax
        self.sizeBytesMax = sizeBytesMax
    }

    /// Deepest nesting `standard` accepts (the top-level value is depth 1).
    public static let standardDepthMax = 32
    /// Largest input `standard` accepts, in bytes of UTF-8.
    public static let standardSizeBytesMax = 1_048_576

    /// The limits of a parse that names none (configuration, tests, the CLI). Storage parses
    /// documents with its own `JSONLimits.document`.
    public static let standard = JSONLimits(depthMax: standardDepthMax, sizeBytesMax: standardSizeBytesMax)
}
