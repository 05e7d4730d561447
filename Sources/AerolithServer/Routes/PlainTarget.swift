import CAerolithTarget

/// A request target whose path the router matches byte for byte: it starts with "/", has no
/// empty segment and no percent escape. Found in one scan (`aerolith_target_scan`, C: it runs
/// cold on every request with hooks, where compact code is what is cheap), so the authorization
/// hooks can be handed ranges of the request's own bytes.
struct PlainTarget {
    /// The path, without the query.
    let path: Range<Int>
    /// The collection's segment, or an empty range when the route has none.
    let collection: Range<Int>

    /// Nil when the target needs normalising or decoding first. `collectionSegment` counts the
    /// path's segments from 0 ("/v1/collections/notes": 2 is "notes").
    @inline(__always)
    init?(_ bytes: UnsafeBufferPointer<UInt8>, collectionSegment: Int?) {
        var ranges = aerolith_target_ranges()
        guard let base = bytes.baseAddress,
              aerolith_target_scan(base, bytes.count, collectionSegment ?? -1, &ranges) != 0 else { return nil }
        path = 0..<ranges.path_end
        collection = ranges.segment_start..<ranges.segment_end
    }
}
