import Foundation

/// How busy each key has kept a pool recently: milliseconds of work, decaying exponentially
/// (`decaySeconds`), so a key that runs one job back to back settles near 1,000 and a key with
/// an occasional short job near 0. Guarded by its pool's lock.
struct RecentWork {
    /// Time constant of the decay, in seconds.
    static let decaySeconds = 1.0
    /// Keys remembered at most; past it, those decayed to almost nothing are dropped.
    static let keysCountMax = 10_000
    /// Below this many milliseconds a key's record is forgotten when the table is pruned.
    static let negligibleMilliseconds = 1.0

    private var entries: [String: (milliseconds: Double, at: Double)] = [:]

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    func milliseconds(of key: String, now: Double) -> Double {
        guard let entry = entries[key] else { return 0 }
        return entry.milliseconds * exp(-(now - entry.at) / Self.decaySeconds)
    }

    mutating func add(_ milliseconds: Double, to key: String, now: Double) {
        if entries.count >= Self.keysCountMax, entries[key] == nil {
            entries = entries.filter {
                $0.value.milliseconds * exp(-(now - $0.value.at) / Self.decaySeconds) >= Self.negligibleMilliseconds
            }
        }
        entries[key] = (self.milliseconds(of: key, now: now) + milliseconds, now)
    }
}
