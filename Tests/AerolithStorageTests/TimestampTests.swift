import AerolithStorage
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test func formatsRFC3339LikeFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        let samples: [Int64] =
            [0, 951_782_400_000, 1_709_164_800_999, 4_102_444_799_999, 86_399_999]
            + (0..<500).map { _ in Int64.random(in: 0...4_102_444_799_999, using: &generator) }
        for milliseconds in samples {
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000))
            #expect(Timestamp(milliseconds: milliseconds).rfc3339 == expected, "\(milliseconds)")
        }
    }
}
