import Foundation
import PostgresNIO

/// Creating and dropping whole databases on a server, for a target that gives each placement (or
/// each test) a database of its own. The role of `url` needs `CREATEDB`.
enum PostgresDatabases {
    /// Database names are made here or by the operator, never from user input; still, only
    /// lowercase letters, digits and `_` are accepted, so they appear literally in SQL.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 63
            && name.utf8.allSatisfy { ASCII.isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    static func create(_ name: String, url: String, logger: Logger = Logger(label: "aerolith.storage.postgres")) async throws(StorageError)
    {
        guard isValidName(name) else { throw StorageError(.storageFailure, "invalid database name \"\(name.prefix(80))\"") }
        try await execute("CREATE DATABASE \"\(name)\"", url: url, logger: logger)
    }

    /// Drops the database, ending its sessions first.
    static func drop(_ name: String, url: String, logger: Logger = Logger(label: "aerolith.storage.postgres")) async throws(StorageError) {
        guard isValidName(name) else { throw StorageError(.storageFailure, "invalid database name \"\(name.prefix(80))\"") }
        try await execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)", url: url, logger: logger)
    }

    /// `url` with its database replaced by `name`.
    static func url(_ url: String, database name: String) throws(StorageError) -> String {
        guard var components = URLComponents(string: url) else { throw StorageError(.storageFailure, "invalid PostgreSQL URL") }
        components.path = "/" + name
        guard let replaced = components.string else { throw StorageError(.storageFailure, "invalid PostgreSQL URL") }
        return replaced
    }

    /// Runs one administrative statement (trusted text, never user input) on its own connection.
    static func execute(_ sql: String, url: String, logger: Logger = Logger(label: "aerolith.storage.postgres")) async throws(StorageError)
    {
        try await PostgresTarget(url: url).withSingleConnection(pool: .standard, logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }
}
