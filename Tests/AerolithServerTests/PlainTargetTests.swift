@testable import AerolithServer
import Testing

/// The word-at-a-time target scan against a byte-at-a-time statement of the same rules, on
/// chosen targets and on many generated ones (every length around the 8-byte word, every
/// placement of "/", "?" and "%").
struct PlainTargetTests {
    /// The rules, one byte at a time: the path starts with "/"; no "%" before the query; no
    /// empty segment, except that "/" alone (or "/?…") is a path; the collection is the
    /// `collectionSegment`th segment.
    static func reference(_ target: [UInt8], collectionSegment: Int?) -> (path: Range<Int>, collection: Range<Int>)? {
        guard target.first == UInt8(ascii: "/") else { return nil }
        let end = target.firstIndex(of: UInt8(ascii: "?")) ?? target.count
        if target[..<end].contains(UInt8(ascii: "%")) { return nil }
        var segments: [Range<Int>] = []
        var start = 1
        for position in 1...end where position == end || target[position] == UInt8(ascii: "/") {
            segments.append(start..<position)
            start = position + 1
        }
        if segments.contains(where: \.isEmpty) && !(end == 1) { return nil }
        let collection = collectionSegment.flatMap { $0 < segments.count ? segments[$0] : nil } ?? 0..<0
        return (0..<end, collection)
    }

    static func scan(_ target: [UInt8], collectionSegment: Int?) -> (path: Range<Int>, collection: Range<Int>)? {
        target.withUnsafeBufferPointer { bytes in
            PlainTarget(bytes, collectionSegment: collectionSegment).map { ($0.path, $0.collection) }
        }
    }

    static func check(_ text: String, collectionSegment: Int? = 2) {
        let bytes = Array(text.utf8)
        let expected = reference(bytes, collectionSegment: collectionSegment)
        let found = scan(bytes, collectionSegment: collectionSegment)
        #expect(found?.path == expected?.path && found?.collection == expected?.collection,
                "\(text) segment \(collectionSegment.map(String.init) ?? "none"): \(String(describing: found)) != \(String(describing: expected))")
    }

    @Test func chosenTargets() {
        let plain = Array("/v1/collections/items/documents/fixed".utf8)
        let found = Self.scan(plain, collectionSegment: 2)
        #expect(found?.path == 0..<plain.count)
        #expect(found?.collection == 16..<21)
        #expect(Self.scan(Array("/v1/collections/items?limit=5%20".utf8), collectionSegment: 2)?.path == 0..<21)
        #expect(Self.scan(Array("/v1/collections/%69tems".utf8), collectionSegment: 2) == nil)
        #expect(Self.scan(Array("/v1//collections/items".utf8), collectionSegment: 2) == nil)
        #expect(Self.scan(Array("/v1/collections/".utf8), collectionSegment: 2) == nil)
        #expect(Self.scan(Array("v1/collections".utf8), collectionSegment: 2) == nil)
        #expect(Self.scan([], collectionSegment: 2) == nil)
        #expect(Self.scan(Array("/".utf8), collectionSegment: nil)?.path == 0..<1)
        #expect(Self.scan(Array("/?x=%".utf8), collectionSegment: nil)?.path == 0..<1)
        for text in ["/v1/collections/items", "/v1/collections/items/", "/a", "/ab/cd/ef/gh", "/abcdefg/", "/abcdefgh/i", "/v1/x?/y//z%",
                     "//", "/?", "/a?b", "/aaaaaaa?", "/aaaaaaaa?", "/aaaaaaaaaaaaaaa/%"] {
            for segment in [nil, 0, 1, 2, 3] { Self.check(text, collectionSegment: segment) }
        }
    }

    @Test func generatedTargetsAgreeWithTheRules() {
        var generator = SplitMix(seed: 0xA3E0_11F5)
        let alphabet = Array("/////?%abc".utf8)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 28)
            var target = [UInt8(ascii: "/")]
            for _ in 0..<length { target.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            if generator.next() % 8 == 0 { target[0] = UInt8(ascii: "a") }
            for segment in [nil, 0, 2, 5] {
                let expected = Self.reference(target, collectionSegment: segment)
                let found = Self.scan(target, collectionSegment: segment)
                guard found?.path == expected?.path && found?.collection == expected?.collection else {
                    let detail = "\(String(decoding: target, as: UTF8.self)) segment \(segment.map(String.init) ?? "none"): "
                        + "\(String(describing: found)) != \(String(describing: expected))"
                    Issue.record("\(detail)")
                    return
                }
            }
        }
    }
}

/// A small deterministic generator, so a failure reproduces.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
