import Foundation

/// Where a storage target keeps its data, as written in configuration:
/// `sqlite:DIRECTORY` (embedded, a data directory on this machine) or
/// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…` (`postgresql://` too).
public enum StorageLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(directory: String)
    case postgres(url: String)

    public static let urlLengthBytesMax = 2_048

    public init(parsing text: String) throws(StorageError) {
        guard !text.isEmpty, text.utf8.count <= Self.urlLengthBytesMax, !text.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw StorageError(.invalidStorageConfiguration, "a storage URL is 1 to \(Self.urlLengthBytesMax) bytes on one line")
        }
        if text.hasPrefix("sqlite:") {
            var directory = String(text.dropFirst("sqlite:".count))
            if directory.hasPrefix("//") { directory.removeFirst(2) }
            guard !directory.isEmpty else {
                throw StorageError(.invalidStorageConfiguration, "\"sqlite:\" needs a data directory, e.g. sqlite:./aerolith-data")
            }
            self = .sqlite(directory: directory)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            // Every parameter checked now, so a bad one is a configuration error, not a failed start.
            do throws(StorageError) {
                _ = try PostgresTarget(url: text)
            } catch {
                throw StorageError(.invalidStorageConfiguration, "\(Self.redacted(text)): \(error.message)")
            }
            self = .postgres(url: text)
        } else {
            throw StorageError(
                .invalidStorageConfiguration,
                "\(Self.redacted(text)) names no storage engine: use sqlite:DIRECTORY or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
    }

    /// The location without its password, for logs and errors.
    public var description: String {
        switch self {
        case .sqlite(let directory): "sqlite:\(directory)"
        case .postgres(let url): Self.redacted(url)
        }
    }

    /// `text` with any password in its user information replaced by `***`.
    static func redacted(_ text: String) -> String {
        let short = String(text.prefix(200))
        guard let scheme = short.range(of: "://"), let at = short[scheme.upperBound...].firstIndex(of: "@") else { return short }
        let userInfo = short[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return short }
        return String(short[..<userInfo.index(after: colon)]) + "***" + String(short[at...])
    }
}
