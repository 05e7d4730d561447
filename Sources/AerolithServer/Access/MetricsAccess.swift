import Hummingbird

/// Who may read `GET /metrics`: the operator's scraper, presenting the configured metrics token
/// as `Authorization: Bearer <token>`.
///
/// The metrics describe every tenant's traffic, so they are never open. Without a configured
/// token the route is refused to everyone: accepting the platform admin key instead would put
/// the most powerful credential into every scraper's configuration.
public enum MetricsAccess {
    public static let path = "/metrics"
    static let code = "metrics_unauthorized"

    /// Why `token` cannot be a metrics token, or nil when it can.
    public static func problem(withToken token: String) -> String? {
        let lengths = ServerLimits.metricsTokenLengthBytesMin...ServerLimits.metricsTokenLengthBytesMax
        guard lengths.contains(token.utf8.count), token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "a metrics token is \(lengths.lowerBound)-\(lengths.upperBound) printable ASCII characters without spaces"
        }
        return nil
    }

    /// Throws 401 `metrics_unauthorized` unless the request presents `token`.
    static func check(_ request: Request, token: String?) throws {
        guard let token else {
            throw refusal(
                "no metrics token is configured (metrics_token / AEROLITH_METRICS_TOKEN / --metrics-token), so /metrics is closed")
        }
        guard let header = request.headers[.authorization], header.utf8.count <= ServerLimits.authorizationHeaderLengthBytesMax else {
            throw refusal("use Authorization: Bearer <metrics token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", equalInConstantTime(parts[1].utf8, token.utf8) else {
            throw refusal("the metrics token is not valid")
        }
    }

    static func refusal(_ detail: String) -> Problem { Problem(status: .unauthorized, code: code, detail: detail) }

    /// Compares without stopping at the first difference, so timing tells nothing of the token.
    static func equalInConstantTime(_ presented: Substring.UTF8View, _ expected: String.UTF8View) -> Bool {
        guard presented.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(presented, expected) { difference |= left ^ right }
        return difference == 0
    }
}
