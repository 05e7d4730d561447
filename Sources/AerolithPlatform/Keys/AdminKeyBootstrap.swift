import AerolithStorage
import Foundation

/// Makes sure an operator can reach the platform admin routes.
///
/// On the first start of an empty data directory it creates a platform admin key and writes it
/// to `<data-dir>/admin.key` with mode 0600; the key is never printed. An operator may instead
/// supply a key file (`--admin-key-file`); its key is registered if it is not already.
public enum AdminKeyBootstrap {
    public static let keyFileName = "admin.key"

    public enum Outcome: Sendable, Equatable {
        /// A new key was written to this path.
        case created(path: String)
        /// The operator's key file was registered.
        case registeredSupplied
        /// An admin key already existed; nothing changed.
        case existing
    }

    public static func run(platform: Platform, dataDirectory: String, suppliedKeyFile: String?) async throws -> Outcome {
        if let suppliedKeyFile {
            let secret = try readSuppliedKey(suppliedKeyFile)
            if (try? platform.authenticate(secret: secret)) != nil { return .existing }
            _ = try await platform.storeKey(secret: secret, tenantID: nil, name: "operator-supplied admin key", role: nil)
            return .registeredSupplied
        }
        guard try !platform.hasAdminKey() else { return .existing }
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
    func hasAdminKey() throws -> Bool {
        let page = try store.query(Query(filter: .compare(try FieldPath("role"), .equal(.string(APIKey.platformAdminRole))), limit: 1),
                                   in: keysCollection, placement: system)
        return !page.documents.isEmpty
    }
}
