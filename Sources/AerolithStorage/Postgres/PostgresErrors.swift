import PostgresNIO
import _ConnectionPoolModule

/// Turns what postgres-nio throws into the storage layer's one error type, in one place.
enum PostgresErrors {
    /// The `Retry-After` of `storage_unavailable`, in seconds: the pool reconnects on its own.
    static let retryAfterSeconds = 1

    /// SQLSTATEs the store acts on (PostgreSQL appendix A).
    enum SQLState {
        static let uniqueViolation = "23505"
        static let queryCanceled = "57014"
        static let undefinedTable = "42P01"
        static let invalidPassword = "28P01"
        static let invalidAuthorization = "28000"
        static let invalidCatalogName = "3D000"
        static let insufficientPrivilege = "42501"
        static let untranslatableCharacter = "22P05"
        static let invalidTextRepresentation = "22P02"
        static let adminShutdown = "57P01"
        static let cannotConnectNow = "57P03"
        static let tooManyConnections = "53300"
        /// A standby refusing a write: the server was a primary that failed over.
        static let readOnlyTransaction = "25006"
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// `target` names the server (`host:port/database`) in messages about reaching it.
    static func map(_ error: any Error, target: String, budget: QueryBudget? = nil) -> StorageError {
        if let error = error as? StorageError { return error }
        if let error = error as? PostgresTransactionError {
            return map(
                error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error, target: target, budget: budget)
        }
        if error is PostgresLease.WaitedTooLong {
            return StorageError(
                .storageUnavailable, "cannot reach PostgreSQL at \(target): \(error)", retryAfterSeconds: Self.retryAfterSeconds)
        }
        if error is ConnectionPoolError {
            return StorageError(
                .storageUnavailable, "cannot reach PostgreSQL at \(target): \(error)", retryAfterSeconds: Self.retryAfterSeconds)
        }
        guard let error = error as? PSQLError else {
            return StorageError(.storageFailure, "PostgreSQL at \(target): \(error)")
        }
        guard let info = error.serverInfo, let state = info[.sqlState] else {
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed, .sslUnsupported,
                .failedToAddSSLHandler:
                let underlying = error.underlying.map { ": \($0)" } ?? ""
                return StorageError(
                    .storageUnavailable, "cannot reach PostgreSQL at \(target) (\(error.code))\(underlying)",
                    retryAfterSeconds: Self.retryAfterSeconds)
            case .queryCancelled:
                return StorageError(.queryTimeout, budget.map { $0.message(.time) } ?? "the query was cancelled")
            default:
                return StorageError(.storageFailure, "PostgreSQL at \(target): \(error.code)")
            }
        }
        let message = info[.message] ?? "error \(state)"
        switch state {
        case SQLState.uniqueViolation:
            return StorageError(.uniqueViolation, "a unique index already holds this value (\(info[.constraintName] ?? "unique index"))")
        case SQLState.queryCanceled:
            return StorageError(.queryTimeout, budget.map { $0.message(.time) } ?? message)
        case SQLState.undefinedTable:
            return StorageError(.collectionNotFound, "the collection no longer exists")
        case SQLState.invalidPassword, SQLState.invalidAuthorization:
            return StorageError(.storageFailure, "PostgreSQL at \(target) refused the login: \(message)")
        case SQLState.invalidCatalogName:
            return StorageError(.storageFailure, "PostgreSQL at \(target): \(message); create the database first")
        case SQLState.insufficientPrivilege:
            return StorageError(
                .storageFailure, "PostgreSQL at \(target): \(message); the role needs CREATE on the database's public schema")
        case SQLState.untranslatableCharacter, SQLState.invalidTextRepresentation:
            return StorageError(.invalidJSON, "PostgreSQL cannot store this document: \(message)")
        case SQLState.adminShutdown, SQLState.cannotConnectNow, SQLState.tooManyConnections, SQLState.readOnlyTransaction:
            return StorageError(
                .storageUnavailable, "PostgreSQL at \(target) is not available: \(message)", retryAfterSeconds: Self.retryAfterSeconds)
        default:
            return StorageError(.storageFailure, "PostgreSQL at \(target): \(message) (\(state))")
        }
    }
}
