import AerolithJSON
import AerolithPlatform

/// The configuration file's `identity` object: sign-in, session and signup limits, each a
/// whole number within a sane range.
enum IdentityConfiguration {
    /// Setting name, its range, and where it goes.
    nonisolated(unsafe) static let integers: [(name: String, range: ClosedRange<Int>, keyPath: WritableKeyPath<IdentitySettings, Int>)] = [
        ("access_token_lifetime_seconds", 30...86_400, \.accessTokenLifetimeSeconds),
        ("session_idle_timeout_seconds", 60...(365 * 86_400), \.sessionIdleTimeoutSeconds),
        ("session_absolute_lifetime_seconds", 60...(365 * 86_400), \.sessionAbsoluteLifetimeSeconds),
        ("sessions_per_user_max", 1...1_000, \.sessionsPerUserMax),
        ("cleanup_interval_seconds", 1...86_400, \.cleanupIntervalSeconds),
        ("login_failures_per_account_max", 1...1_000, \.loginFailuresPerAccountMax),
        ("login_failures_per_address_max", 1...100_000, \.loginFailuresPerAddressMax),
        ("login_throttle_window_seconds", 1...86_400, \.loginThrottleWindowSeconds),
        ("signups_per_address_max", 1...100_000, \.signupsPerAddressMax),
        ("password_scrypt_log2_n", 10...20, \.passwordHashing.log2N),
        ("password_scrypt_block_size", 1...32, \.passwordHashing.blockSize),
        ("password_scrypt_parallelism", 1...16, \.passwordHashing.parallelism),
    ]

    static func settings(_ value: JSONValue, path: String) throws -> IdentitySettings {
        func fail(_ problem: String) -> CLIError { CLIError(.invalidConfiguration, "identity in \(path): \(problem)") }
        guard case .object(let object) = value else { throw fail("must be an object") }
        var settings = IdentitySettings()
        for member in object.members {
            if member.key == "signup" {
                guard case .bool(let enabled) = member.value else { throw fail("signup must be true or false") }
                settings.signupEnabled = enabled
                continue
            }
            guard let setting = integers.first(where: { $0.name == member.key }) else {
                throw fail(
                    "unknown setting \"\(member.key.prefix(40))\"; known: \((["signup"] + integers.map(\.name)).joined(separator: ", "))")
            }
            guard case .number(let number) = member.value, let integer = number.int64Value.map(Int.init), setting.range.contains(integer)
            else {
                throw fail("\(member.key) must be a whole number from \(setting.range.lowerBound) to \(setting.range.upperBound)")
            }
            settings[keyPath: setting.keyPath] = integer
        }
        guard settings.passwordHashing.memoryBytes <= PasswordHasher.memoryBytesMax else {
            throw fail(
                "the scrypt parameters ask for \(settings.passwordHashing.memoryBytes / 1_048_576) MiB per hash; at most \(PasswordHasher.memoryBytesMax / 1_048_576) MiB"
            )
        }
        guard settings.sessionAbsoluteLifetimeSeconds >= settings.accessTokenLifetimeSeconds else {
            throw fail("session_absolute_lifetime_seconds must be at least access_token_lifetime_seconds")
        }
        return settings
    }
}
