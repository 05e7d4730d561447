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

    /// The limits for stored documents (see `StorageLimits`).
    public static let document = JSONLimits(
        depthMax: StorageLimits.documentDepthMax,
        sizeBytesMax: StorageLimits.documentSizeBytesMax
    )
}
