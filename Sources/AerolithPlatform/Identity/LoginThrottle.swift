import Foundation
import Synchronization

/// Failed sign-ins counted per account and per client address over a sliding window; past
/// the limit, sign-in is refused with the seconds to wait, before any password is checked.
final class LoginThrottle: Sendable {
    /// Most accounts and addresses tracked at once; beyond it the oldest records are dropped.
    static let trackedKeysCountMax = 100_000

    private let settings: IdentitySettings
    /// Key → times of recent failures, in seconds since the epoch.
    private let failures = Mutex<[String: [Int]]>([:])

    init(settings: IdentitySettings) { self.settings = settings }

    static func accountKey(tenantID: String, email: String) -> String { "a:\(tenantID)\n\(email)" }
    static func addressKey(_ address: String) -> String { "c:\(address)" }

    /// Throws `too_many_attempts` if either key is over its limit.
    func check(account: String, address: String?, now: Int = Int(Date().timeIntervalSince1970)) throws(PlatformError) {
        let window = settings.loginThrottleWindowSeconds
        var limits = [(account, settings.loginFailuresPerAccountMax)]
        if let address { limits.append((Self.addressKey(address), settings.loginFailuresPerAddressMax)) }
        let wait = failures.withLock { failures -> Int? in
            var longest: Int?
            for (key, limit) in limits {
                let recent = (failures[key] ?? []).filter { $0 > now - window }
                guard recent.count >= limit, let oldest = recent.first else { continue }
                longest = max(longest ?? 0, oldest + window - now)
            }
            return longest
        }
        if let wait {
            throw PlatformError(.tooManyAttempts, "too many failed sign-ins; try again in \(max(wait, 1)) s", retryAfterSeconds: max(wait, 1))
        }
    }

    func recordFailure(account: String, address: String?, now: Int = Int(Date().timeIntervalSince1970)) {
        let window = settings.loginThrottleWindowSeconds
        failures.withLock { failures in
            if failures.count >= Self.trackedKeysCountMax { failures = failures.filter { ($0.value.last ?? 0) > now - window } }
            for key in [account] + (address.map { [Self.addressKey($0)] } ?? []) {
                var recent = (failures[key] ?? []).filter { $0 > now - window }
                recent.append(now)
                failures[key] = recent
            }
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    func recordSuccess(account: String) {
        _ = failures.withLock { $0.removeValue(forKey: account) }
    }
}
