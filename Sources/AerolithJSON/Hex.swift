/// Lowercase hexadecimal digits, the one encoding of bytes as hex in the project (JSON escapes,
/// digests, request ids).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Appends the two digits of `byte` to `output`.
    @inline(__always)
    public static func append(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(digits[Int(byte >> 4)])
        output.append(digits[Int(byte & 0x0F)])
    }

    /// `bytes` as lowercase hex, two digits a byte.
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes { append(byte, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }
}
