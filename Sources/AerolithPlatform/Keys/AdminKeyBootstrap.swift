import AerolithStorage
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Makes sure an operator can reach the platform admin routes, with exactly one admin key.
///
/// On the first start of an empty data directory it creates a platform admin key and writes it
/// to `<data-dir>/admin.key`, created with mode 0600; the key is never printed. An operator may instead
/// supply a key file (`--admin-key-file`): its key becomes the admin key and every other admin
/// key is revoked (this is how an admin key is rotated), and a generated `admin.key` is removed.
public enum AdminKeyBootstrap {
    public static let keyFileName = "admin.key"

    public enum Outcome: Sendable, Equatable {
        /// A new key was written to this path.
        case created(path: String)
        /// The operator's key file was registered.
        case registeredSupplied(revokedOthers: Int)
        /// An admin key already existed; nothing changed.
        case existing
    }

    public static func run(platform: Platform, dataDirectory: String, suppliedKeyFile: String?) async throws -> Outcome {
        if let suppliedKeyFile {
            let secret = try readSuppliedKey(suppliedKeyFile)
            let digest = APIKey.digest(of: secret)
            let known = await (try? platform.authenticate(secret: secret)) != nil
            if !known {
                _ = try await platform.storeKey(secret: secret, tenantID: nil, name: "operator-supplied admin key", role: nil)
            }
            let revoked = try await platform.revokeAdminKeys(except: digest)
            if revoked > 0 { try? FileManager.default.removeItem(atPath: dataDirectory + "/" + keyFileName) }
            return known && revoked == 0 ? .existing : .registeredSupplied(revokedOthers: revoked)
        }
        guard try await platform.activeAdminKeys().isEmpty else { return .existing }
        let secret = APIKey.newSecret()
        let path = dataDirectory + "/" + keyFileName
        try writePrivateFile(path, contents: Array((secret + "\n").utf8))
        _ = try await platform.storeKey(secret: secret, tenantID: nil, name: "bootstrap admin key", role: nil)
        return .created(path: path)
    }

    /// Writes a new file only the server's user can read, from its first byte: made with
    /// `O_CREAT | O_EXCL` and mode 0600 (never a readable file narrowed afterwards). A stale
    /// file of that name (its key no longer registered) is removed first.
    static func writePrivateFile(_ path: String, contents: [UInt8]) throws {
        func failure(_ what: String) -> PlatformError {
            PlatformError(.invalidAdminKey, "cannot \(what) the admin key file \(path): \(String(cString: strerror(errno)))")
        }
        if unlink(path) != 0 && errno != ENOENT { throw failure("replace") }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("create") }
        defer { close(descriptor) }
        let written = contents.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == contents.count, fsync(descriptor) == 0 else { throw failure("write") }
    }

    static func readSuppliedKey(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlatformError(.invalidAdminKey, "cannot read the admin key file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PlatformError(.invalidAdminKey, "the admin key file \(path) is not UTF-8 text")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let printable = secret.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }
        guard printable, (PlatformLimits.adminKeyLengthBytesMin...PlatformLimits.adminKeyLengthBytesMax).contains(secret.utf8.count) else {
            throw PlatformError(
                .invalidAdminKey,
                "the admin key in \(path) must be \(PlatformLimits.adminKeyLengthBytesMin)-\(PlatformLimits.adminKeyLengthBytesMax) printable ASCII characters without spaces"
            )
        }
        return secret
    }
}

extension Platform {
    /// The platform admin keys not revoked, with the digests that identify their records.
    func activeAdminKeys() async throws -> [(digest: String, key: APIKey)] {
        let filter = Filter.all([
            .compare(try FieldPath("role"), .equal(.string(APIKey.platformAdminRole))),
            .compare(try FieldPath("tenant_id"), .equal(.null)),
            .compare(try FieldPath("revoked_at"), .exists(false)),
        ])
        return try await keyRecords(matching: filter)
    }

    /// Revokes every active admin key but the one with `digest`; returns how many.
    func revokeAdminKeys(except digest: String) async throws -> Int {
        var revoked = 0
        for record in try await activeAdminKeys() where record.digest != digest {
            try await revoke(record.key, digest: record.digest)
            revoked += 1
        }
        return revoked
    }
}
