/// A request target whose path the router matches byte for byte: it starts with "/", has no
/// empty segment and no percent escape. Found in one scan, so the authorization hooks can be
/// handed ranges of the request's own bytes.
struct PlainTarget {
    /// The path, without the query.
    let path: Range<Int>
    /// The collection's segment, or an empty range when the route has none.
    let collection: Range<Int>

    /// Nil when the target needs normalising or decoding first.
    @inline(__always)
    init?(_ bytes: UnsafeBufferPointer<UInt8>, collectionSegment: Int?) {
        guard bytes.first == UInt8(ascii: "/") else { return nil }
        var end = bytes.count
        var collection = 0..<0
        var segment = 0
        var segmentStart = 1
        var position = 1
        while position <= bytes.count {
            let byte = position < bytes.count ? bytes[position] : UInt8(ascii: "?")
            switch byte {
            case UInt8(ascii: "%"):
                return nil
            case UInt8(ascii: "/"), UInt8(ascii: "?"):
                // An empty segment anywhere but a single trailing "/" is normalised by the router.
                if position == segmentStart && (byte == UInt8(ascii: "/") || position != 1) { return nil }
                if segment == collectionSegment { collection = segmentStart..<position }
                segment += 1
                segmentStart = position + 1
                if byte == UInt8(ascii: "?") { end = position; position = bytes.count }
            default:
                break
            }
            position += 1
        }
        path = 0..<end
        self.collection = collection
    }
}
