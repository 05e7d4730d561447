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

    /// One sign-in attempt counted against its account and address before its password is
    /// checked, so concurrent attempts cannot all pass the check before any failure is recorded.
    struct Reservation: Sendable {
        let keys: [String]
        let time: Int
    }

    /// Throws `too_many_attempts` if the account or the address is over its limit; otherwise
    /// counts this attempt as a failure until `succeeded` or `cancel` says otherwise. The check
    /// and the count are one step under the lock.
    func reserve(account: String, address: String?) throws(PlatformError) -> Reservation {
        var limits = [(key: account, limit: settings.loginFailuresPerAccountMax)]
        if let address { limits.append((Self.addressKey(address), settings.loginFailuresPerAddressMax)) }
        return try admit(limits, what: "failed sign-ins")
    }

    /// The password matched: the account's failures are cleared (the address's stay), and this
    /// attempt no longer counts against the address.
    func succeeded(_ reservation: Reservation) {
        events.withLock { events in
            guard let account = reservation.keys.first else { return }
            events.removeValue(forKey: account)
            for key in reservation.keys.dropFirst() { Self.remove(reservation.time, of: key, from: &events) }
        }
    }

    /// No password was checked (the work was refused): the attempt counts for nothing.
    func cancel(_ reservation: Reservation) {
        events.withLock { events in
            for key in reservation.keys { Self.remove(reservation.time, of: key, from: &events) }
        }
    }

    private static func remove(_ time: Int, of key: String, from events: inout [String: [Int]]) {
        guard var times = events[key], let index = times.lastIndex(of: time) else { return }
        times.remove(at: index)
        events[key] = times.isEmpty ? nil : times
    }

    /// Signups from one address: throws past the limit, else counts this one.
    func admitSignup(address: String?) throws(PlatformError) {
        guard let address else { return }
        _ = try admit([(Self.signupKey(address), settings.signupsPerAddressMax)], what: "signups from this address")
    }

    /// Refuses if any key is at its limit within the window, else records one event for each,
    /// in one step under the lock.
    private func admit(_ limits: [(key: String, limit: Int)], what: String) throws(PlatformError) -> Reservation {
        let now = Int(Date().timeIntervalSince1970)
        let window = settings.loginThrottleWindowSeconds
        let keys = limits.map(\.key)
        let wait = events.withLock { events -> Int? in
            var longest: Int?
            for (key, limit) in limits {
                let recent = (events[key] ?? []).filter { $0 > now - window }
                guard recent.count >= limit, let oldest = recent.first else { continue }
                longest = max(longest ?? 0, oldest + window - now)
            }
            if longest == nil { Self.record(keys, at: now, window: window, in: &events) }
            return longest
        }
        if let wait {
            throw PlatformError(.tooManyAttempts, "too many \(what); try again in \(max(wait, 1)) s", retryAfterSeconds: max(wait, 1))
        }
        return Reservation(keys: keys, time: now)
    }

    private static func record(_ keys: [String], at now: Int, window: Int, in events: inout [String: [Int]]) {
        if events.count >= trackedKeysCountMax {
            events = events.filter { ($0.value.last ?? 0) > now - window }
            if events.count >= trackedKeysCountMax {
                // Still full of live records: forget the quietest half.
                let quiet = events.sorted { ($0.value.last ?? 0) < ($1.value.last ?? 0) }.prefix(events.count / 2).map(\.key)
                for key in quiet { events.removeValue(forKey: key) }
            }
        }
        for key in keys {
            var recent = (events[key] ?? []).filter { $0 > now - window }
            recent.append(now)
            events[key] = Array(recent.suffix(eventsPerKeyMax))
        }
    }
}
