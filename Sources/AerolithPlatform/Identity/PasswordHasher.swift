import AerolithExecution
import Crypto
import CryptoExtras
import Foundation

/// Password hashing with scrypt (memory-hard; BoringSSL's implementation through swift-crypto).
///
/// A stored hash is `scrypt$<log2 N>$<r>$<p>$<salt, base64>$<key, base64>`: the parameters
/// travel with each hash, so they can be raised later and old hashes keep verifying (and are
/// re-hashed at the next successful sign-in).
public struct PasswordHasher: Sendable {
    /// The scrypt cost parameters: N = 2^log2N blocks of 128·r bytes (memory), p lanes.
    public struct Parameters: Sendable, Equatable {
        public var log2N: Int
        public var blockSize: Int
        public var parallelism: Int

        public init(log2N: Int, blockSize: Int, parallelism: Int) {
            self.log2N = log2N
            self.blockSize = blockSize
            self.parallelism = parallelism
        }

        /// N = 2^15, r = 8, p = 3: 32 MiB per hash, one of OWASP's recommended scrypt settings.
        public static let standard = Parameters(log2N: 15, blockSize: 8, parallelism: 3)

        /// Memory one hash needs, in bytes.
        public var memoryBytes: Int { 128 * blockSize * (1 << log2N) }
    }

    /// Hashes computed at once, on threads of their own; more wait. Each holds a core and
    /// `memoryBytes` for its duration, so a burst of sign-ins cannot take every core from the
    /// requests being served.
    public static let concurrentHashesMax = 1
    /// Most hashes waiting for one tenant (sign-ins naming it, known account or not); past it
    /// the sign-in is refused with 503 `overloaded` and `Retry-After`.
    public static let queuedHashesPerTenantMax = 8
    /// Most hashes waiting in all: with `concurrentHashesMax` at 1 and a standard hash of about
    /// 0.1–0.3 s, a sign-in waits a few seconds at most before it is hashed or refused.
    public static let queuedHashesMax = 24
    /// The queue of hashes for no tenant that exists yet: signups, and sign-ins naming a tenant
    /// that does not exist (so made-up tenant ids compete only with each other).
    public static let unknownTenantKey = "\u{0}unknown"
    public static let saltBytes = 16
    public static let derivedKeyBytes = 32
    /// Bounds on parameters read back from stored hashes (a corrupt record must not ask for gigabytes).
    static let log2NMax = 20
    static let blockSizeMax = 32
    static let parallelismMax = 16
    /// Most memory one stored hash may ask for, in bytes.
    public static let memoryBytesMax = 256 * 1_048_576

    public let parameters: Parameters
    /// Where hashes are computed: one queue per tenant, served in turn, so a flood of sign-ins
    /// for one tenant (or for unknown ones) delays only those; nothing else runs there.
    private let pool: FairWorkerPool

    /// The executor every hasher of the process shares: password work is bounded process-wide.
    static let sharedPool = FairWorkerPool(
        name: "password",
        limits: .init(
            threadCount: concurrentHashesMax, runningPerKeyMax: concurrentHashesMax,
            queuedPerKeyMax: queuedHashesPerTenantMax, queuedTotalMax: queuedHashesMax))

    public init(parameters: Parameters = .standard) {
        self.parameters = parameters
        pool = Self.sharedPool
    }

    /// Throws `WorkRefused` when too many hashes are waiting.
    public func hash(_ password: String, tenantID: String) async throws -> String {
        let parameters = parameters
        return try await pool.run(key: tenantID) { () throws -> String in
            let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) }
            let key = try Self.derive(password, salt: salt, parameters)
            return [
                "scrypt", String(parameters.log2N), String(parameters.blockSize), String(parameters.parallelism),
                Data(salt).base64EncodedString(), key.withUnsafeBytes { Data($0) }.base64EncodedString(),
            ].joined(separator: "$")
        }
    }

    /// Whether `password` matches `stored`, compared in constant time; and whether the hash
    /// should be replaced because it was made with other parameters. Throws `WorkRefused` when
    /// too many hashes are waiting (nothing was checked).
    public func verify(_ password: String, against stored: String, tenantID: String) async throws -> (matches: Bool, needsRehash: Bool) {
        let parameters = parameters
        let result = try await pool.run(key: tenantID) { () -> (Bool, Bool)? in
            let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
            guard fields.count == 6, fields[0] == "scrypt",
                let log2N = Int(fields[1]), (1...Self.log2NMax).contains(log2N),
                let blockSize = Int(fields[2]), (1...Self.blockSizeMax).contains(blockSize),
                let parallelism = Int(fields[3]), (1...Self.parallelismMax).contains(parallelism),
                Parameters(log2N: log2N, blockSize: blockSize, parallelism: parallelism).memoryBytes <= Self.memoryBytesMax,
                let salt = Data(base64Encoded: String(fields[4])), let expected = Data(base64Encoded: String(fields[5])),
                expected.count == Self.derivedKeyBytes
            else {
                _ = try? Self.derive(password, salt: [UInt8](repeating: 0, count: Self.saltBytes), parameters)
                return (false, false)
            }
            let used = Parameters(log2N: log2N, blockSize: blockSize, parallelism: parallelism)
            guard let derived = try? Self.derive(password, salt: Array(salt), used) else { return nil }
            // SymmetricKey equality is constant-time.
            return (derived == SymmetricKey(data: expected), used != parameters)
        }
        return result.map { (matches: $0.0, needsRehash: $0.1) } ?? (false, false)
    }

    /// Spends the time a real verification would, for sign-ins naming no known account. Throws
    /// `WorkRefused` like `verify`, so an unknown account is refused exactly as a known one.
    public func verifyNothing(_ password: String, tenantID: String) async throws {
        let parameters = parameters
        try await pool.run(key: tenantID) {
            _ = try? Self.derive(password, salt: [UInt8](repeating: 0, count: Self.saltBytes), parameters)
        }
    }

    static func derive(_ password: String, salt: [UInt8], _ parameters: Parameters) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: derivedKeyBytes,
            rounds: 1 << parameters.log2N, blockSize: parameters.blockSize, parallelism: parameters.parallelism)
    }
}
