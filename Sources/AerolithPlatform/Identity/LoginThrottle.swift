import Foundation
import Synchronization

/// Failed sign-ins counted per account and per client address, and signups per address, over
/// a sliding window; past a limit, the request is refused with the seconds to wait, before any
/// password is checked.
final class LoginThrottle: Sendable {
    /// Most accounts and addresses tracked at once; beyond it, expired records are dropped and
    /// then the longest-quiet ones.
    static let trackedKeysCountMax = 100_000
    /// Most events remembered per key (a limit is never above this).
    static let eventsPerKeyMax = 1_000

    private let settings: IdentitySettings
    /// Key → times of recent events, in seconds since the epoch, oldest first.
    private let events = Mutex<[String: [Int]]>([:])

    init(settings: IdentitySettings) { self.settings = settings }

    /// A fixed-size key for an account, whatever the length of the email given.
    static func accountKey(tenantID: String, email: String) -> String {
        "a:" + APIKey.digest(of: "\(tenantID)\n\(email)")
    }

    /// Longest client address kept as a key, in characters (an IPv6 address with a zone fits).
    static let addressLengthCharactersMax = 64

    static func addressKey(_ address: String) -> String { "c:" + address.prefix(addressLengthCharactersMax) }
    static func signupKey(_ address: String) -> String { "s:" + address.prefix(addressLengthCharactersMax) }

    /// Throws `too_many_attempts` if the account or the address is over its limit.
    func check(account: String, address: String?) throws(PlatformError) {
        var limits = [(account, settings.loginFailuresPerAccountMax)]
        if let address { limits.append((Self.addressKey(address), settings.loginFailuresPerAddressMax)) }
        try check(limits, what: "failed sign-ins")
    }

    func recordFailure(account: String, address: String?) {
        record([account] + (address.map { [Self.addressKey($0)] } ?? []))
    }

    /// A successful sign-in clears the account's failures (not the address's).
    func recordSuccess(account: String) {
        _ = events.withLock { $0.removeValue(forKey: account) }
    }

    /// Signups from one address: throws past the limit, else counts this one.
    func admitSignup(address: String?) throws(PlatformError) {
        guard let address else { return }
        try check([(Self.signupKey(address), settings.signupsPerAddressMax)], what: "signups from this address")
        record([Self.signupKey(address)])
    }

    private func check(_ limits: [(key: String, limit: Int)], what: String) throws(PlatformError) {
        let now = Int(Date().timeIntervalSince1970)
        let window = settings.loginThrottleWindowSeconds
        let wait = events.withLock { events -> Int? in
            var longest: Int?
            for (key, limit) in limits {
                let recent = (events[key] ?? []).filter { $0 > now - window }
                guard recent.count >= limit, let oldest = recent.first else { continue }
                longest = max(longest ?? 0, oldest + window - now)
            }
            return longest
        }
        if let wait {
            throw PlatformError(.tooManyAttempts, "too many \(what); try again in \(max(wait, 1)) s", retryAfterSeconds: max(wait, 1))
        }
    }

    private func record(_ keys: [String]) {
        let now = Int(Date().timeIntervalSince1970)
        let window = settings.loginThrottleWindowSeconds
        events.withLock { events in
            if events.count >= Self.trackedKeysCountMax {
                events = events.filter { ($0.value.last ?? 0) > now - window }
                if events.count >= Self.trackedKeysCountMax {
                    // Still full of live records: forget the quietest half.
                    let quiet = events.sorted { ($0.value.last ?? 0) < ($1.value.last ?? 0) }.prefix(events.count / 2).map(\.key)
                    for key in quiet { events.removeValue(forKey: key) }
                }
            }
            for key in keys {
                var recent = (events[key] ?? []).filter { $0 > now - window }
                recent.append(now)
                events[key] = Array(recent.suffix(Self.eventsPerKeyMax))
            }
        }
    }
}
