import AerolithJSON
import Foundation

/// A signed-in session kept for the CLI in the user's configuration directory
/// (`$AEROLITH_CONFIG_DIR`, else `$XDG_CONFIG_HOME/aerolith`, else `~/.config/aerolith`), in
/// `credentials.json`, mode 0600 in a 0700 directory.
struct Credentials {
    var url: String
    var tenantID: String
    var userID: String
    var sessionID: String
    var accessToken: String
    var refreshToken: String
    /// When the access token expires, in seconds since the epoch.
    var expiresAt: Int

    static let fileName = "credentials.json"
    /// A token this close to its expiry is refreshed before use, in seconds.
    static let refreshMarginSeconds = 30
    static let fileSizeBytesMax = 65_536

    static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["AEROLITH_CONFIG_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/aerolith" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/aerolith"
    }

    static var path: String { directory() + "/" + fileName }

    /// The stored session, if any; a damaged file is an error, not a silent sign-out.
    static func load() throws -> Credentials? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard data.count <= fileSizeBytesMax,
            case .object(let object)? = try? JSONParser.parse(String(decoding: data, as: UTF8.self)),
            let url = object["url"]?.stringValue, let tenantID = object["tenant_id"]?.stringValue,
            let userID = object["user_id"]?.stringValue, let sessionID = object["session_id"]?.stringValue,
            let access = object["access_token"]?.stringValue, let refresh = object["refresh_token"]?.stringValue,
            case .number(let expiry)? = object["expires_at"], let expiresAt = expiry.int64Value
        else {
            throw CLIError(.invalidConfiguration, "\(path) is damaged; sign in again with aerolith auth login")
        }
        return Credentials(
            url: url, tenantID: tenantID, userID: userID, sessionID: sessionID, accessToken: access,
            refreshToken: refresh, expiresAt: Int(expiresAt))
    }

    /// From a `Tokens` response.
    init?(url: String, tokens: JSONValue?) {
        guard let object = tokens?.objectValue, let access = object["access_token"]?.stringValue,
            let refresh = object["refresh_token"]?.stringValue, let tenantID = object["tenant_id"]?.stringValue,
            let userID = object["user_id"]?.stringValue, let sessionID = object["session_id"]?.stringValue,
            case .number(let lifetime)? = object["expires_in"], let seconds = lifetime.int64Value
        else { return nil }
        self.init(
            url: url, tenantID: tenantID, userID: userID, sessionID: sessionID, accessToken: access, refreshToken: refresh,
            expiresAt: Int(Date().timeIntervalSince1970) + Int(seconds))
    }

    init(url: String, tenantID: String, userID: String, sessionID: String, accessToken: String, refreshToken: String, expiresAt: Int) {
        self.url = url
        self.tenantID = tenantID
        self.userID = userID
        self.sessionID = sessionID
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
    }

    var needsRefresh: Bool { Int(Date().timeIntervalSince1970) + Self.refreshMarginSeconds >= expiresAt }

    /// Writes the file readable by its owner only (created so, never following a link), in a
    /// directory only its owner can enter, replacing the old file atomically.
    func save() throws {
        let directory = try Self.privateDirectory()
        let object = JSONObject(members: [
            .init(key: "url", value: .string(url)), .init(key: "tenant_id", value: .string(tenantID)),
            .init(key: "user_id", value: .string(userID)), .init(key: "session_id", value: .string(sessionID)),
            .init(key: "access_token", value: .string(accessToken)), .init(key: "refresh_token", value: .string(refreshToken)),
            .init(key: "expires_at", value: .integer(Int64(expiresAt))),
        ])
        let temporary = directory + "/.\(Self.fileName).\(getpid())"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError(.invalidConfiguration, "cannot write \(temporary)") }
        let bytes = JSONWriter.bytes(.object(object))
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, Self.path) == 0 else {
            unlink(temporary)
            throw CLIError(.invalidConfiguration, "cannot write \(Self.path)")
        }
    }

    /// Runs `body` holding an exclusive lock on the credentials, so that two commands never
    /// spend the same refresh token (which would end the session).
    static func withLock<T>(_ body: () async throws -> T) async throws -> T {
        let directory = try privateDirectory()
        let descriptor = open(directory + "/credentials.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError(.invalidConfiguration, "cannot lock \(directory)/credentials.lock") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw CLIError(.invalidConfiguration, "cannot lock \(directory)/credentials.lock") }
        return try await body()
    }

    /// The directory, created if need be and restricted to its owner.
    static func privateDirectory() throws -> String {
        let directory = directory()
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard chmod(directory, 0o700) == 0 else { throw CLIError(.invalidConfiguration, "cannot restrict \(directory) to its owner") }
        return directory
    }

    static func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
