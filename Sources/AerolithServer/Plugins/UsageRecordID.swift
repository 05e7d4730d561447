/// The idempotency id of a usage record: `use_` + 26 base-32 characters (130 random bits),
/// made by the server for every record, never taken from the request.
enum UsageRecordID {
    static let prefix = "use_"
    static let randomLength = 26
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(prefix.utf8.count + randomLength)
        var bits = generator.next() as UInt64
        var available = 64
        for _ in 0..<randomLength {
            if available < 5 {
                bits = generator.next()
                available = 64
            }
            bytes.append(alphabet[Int(bits & 0x1F)])
            bits >>= 5
            available -= 5
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
