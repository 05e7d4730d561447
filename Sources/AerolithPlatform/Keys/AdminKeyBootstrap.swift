import AerolithStorage
import Foundation

/// Makes sure an operator can reach the platform admin routes, with exactly one admin key.
///
/// On the first start of an empty data directory it creates a platform admin key and writes it
/// to `<data-dir>/admin.key` with mode 0600; the key is never printed. An operator may instead
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
            let known = (try? platform.authenticate(secret: secret)) != nil
            if !known {
                _ = try await platform.storeKey(secret: secret, tenantID: nil, name: "operator-supplied admin key", role: nil)
            }
            let revoked = try await platform.revokeAdminKeys(except: digest)
            if revoked > 0 { try? FileManager.default.removeItem(atPath: dataDirectory + "/" + keyFileName) }
            return known && revoked == 0 ? .existing : .registeredSupplied(revokedOthers: revoked)
        }
        guard try platform.activeAdminKeys().isEmpty else { return .existing }
        let secret = APIKey.newSecret()
        let path = dataDirectory + "/" + keyFileName
        let created = FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw PlatformError(.invalidAdminKey, "cannot write the admin key to \(path)") }
        _ = try await platform.storeKey(secret: secret, tenantID: nil, name: "bootstrap admin key", role: nil)
        return .created(path: path)
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
            throw PlatformError(.invalidAdminKey, "the admin key in \(path) must be \(PlatformLimits.adminKeyLengthBytesMin)-\(PlatformLimits.adminKeyLengthBytesMax) printable ASCII characters without spaces")
        }
        return secret
    }
}

extension Platform {
    /// The platform admin keys not revoked, with the digests that identify their records.
    func activeAdminKeys() throws -> [(digest: String, key: APIKey)] {
        let filter = Filter.all([
            .compare(try FieldPath("role"), .equal(.string(APIKey.platformAdminRole))),
            .compare(try FieldPath("tenant_id"), .equal(.null)),
            .compare(try FieldPath("revoked_at"), .exists(false)),
        ])
        return try keyRecords(matching: filter)
    }

    /// Revokes every active admin key but the one with `digest`; returns how many.
    func revokeAdminKeys(except digest: String) async throws -> Int {
        var revoked = 0
        for record in try activeAdminKeys() where record.digest != digest {
            try await revoke(record.key, digest: record.digest)
            revoked += 1
        }
        return revoked
    }
}
