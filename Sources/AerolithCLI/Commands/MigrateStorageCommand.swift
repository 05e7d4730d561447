import AerolithServer
import AerolithStorage
import ArgumentParser
import Foundation
import Logging

/// `aerolith migrate-storage`: copies an embedded deployment's data directory into PostgreSQL and
/// verifies the copy (`StorageMigration` does the work; this command checks its input, opens
/// both stores, prints progress and the summary, and maps errors to codes and exit statuses).
struct MigrateStorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-storage",
        abstract: "Copy an embedded (SQLite) data directory into a PostgreSQL database, and verify the copy.",
        discussion: """
            Stop the server first: the command takes the data directory's lock, so neither a running server nor one \
            started meanwhile can change the source while it copies.

            Copies every placement's collections (the platform's own sys records too: tenants, users, sessions, keys, \
            roles, signing keys), their index definitions, every document with its id, version, timestamps and exact \
            body, and every key-value namespace (plugin state, kernel records). Then prints, per collection and per \
            namespace, the count and SHA-256 on both sides.

            Resumable: run it again after an interruption and it checks what the target holds and copies the rest; a \
            run on a finished migration copies nothing and verifies. The target must be empty or hold an earlier, \
            interrupted copy of this source; anything else is refused with migration_target_conflict before anything \
            is written (two deployments are never merged).

            Afterwards start the server with --storage set to the same URL (keep the data directory: it still holds \
            admin.key and the plugins).

            Exit status: 0 copied and verified, 1 the target holds other data or the copy does not verify, 2 bad \
            arguments, an unusable data directory or a refused login, 3 PostgreSQL could not be reached.
            """
    )

    @Option(help: "The data directory to copy: sqlite:DIRECTORY.")
    var from: String

    @Option(help: "The PostgreSQL database to copy into: postgres://USER:PASSWORD@HOST:PORT/DATABASE.")
    var to: String

    @Option(
        help:
            "Documents per page read and per transaction written (1 to \(StorageMigration.batchSizeDocumentsMax); default \(StorageMigration.batchSizeDocumentsDefault))."
    )
    var batchSize: Int = StorageMigration.batchSizeDocumentsDefault

    /// Longest one statement on the target may run, in milliseconds (a page of documents, an index).
    static let statementTimeLimitMilliseconds = 10 * 60 * 1_000
    /// Connections the copy opens to the target.
    static let targetConnectionsMax = 4

    func run() async throws {
        do {
            let report = try await migrate()
            MigrationSummary.print(report)
            guard report.matches else {
                throw CLIError(
                    code: MigrationError.Code.verificationFailed.rawValue,
                    "the copy differs from the source: " + report.differences.joined(separator: "; ")
                        + ". Run the command again to copy the rest and verify again", exitCode: ExitStatus.migrationRefused)
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(error.exitCode)
        }
    }

    private func migrate() async throws -> MigrationReport {
        let directory = try sourceDirectory()
        let url = try targetURL()
        guard (1...StorageMigration.batchSizeDocumentsMax).contains(batchSize) else {
            throw CLIError(.invalidArgument, "--batch-size is 1 to \(StorageMigration.batchSizeDocumentsMax) documents, not \(batchSize)")
        }
        try SourceDirectory.check(directory)
        do {
            try DataDirectory.lock(directory)
        } catch let error as DataDirectoryError {
            throw CLIError(code: error.code.rawValue, error.message, exitCode: ExitStatus.usage)
        }
        var logger = Logger(label: "aerolith.migrate")
        // Progress and errors are this command's own lines; the stores' routine notices would only interleave with them.
        logger.logLevel = .error
        let target: PostgresDocumentStore
        do {
            target = try await PostgresDocumentStore.open(
                url: url, queryBudget: QueryBudget(timeLimitMilliseconds: Self.statementTimeLimitMilliseconds),
                pool: PostgresPoolLimits(connectionsMax: Self.targetConnectionsMax), logger: logger)
        } catch {
            throw Self.cliError(error, side: "the target")
        }
        do {
            let source: SQLiteDocumentStore
            do throws(StorageError) {
                source = try SQLiteDocumentStore(directory: directory, logger: logger)
            } catch {
                throw CLIError(
                    code: DataDirectoryError.Code.invalid.rawValue, "cannot open \(directory): \(error.message)", exitCode: ExitStatus.usage
                )
            }
            Self.say("copying sqlite:\(directory) into \(StorageLocation.postgres(url: url)) (\(batchSize) documents per transaction)")
            let migration = StorageMigration(from: source, to: target, batchSizeDocuments: batchSize)
            let report = try await migration.run { MigrationSummary.progressLine($0) }
            await target.close()
            return report
        } catch {
            await target.close()
            if let error = error as? CLIError { throw error }
            throw Self.cliError(error, side: "the copy")
        }
    }

    private func sourceDirectory() throws -> String {
        guard from.hasPrefix("sqlite:") else {
            throw CLIError(.invalidArgument, "--from names the data directory to copy as sqlite:DIRECTORY, not \(from.prefix(80))")
        }
        guard case .sqlite(let directory)? = try? StorageLocation(parsing: from) else {
            throw CLIError(.invalidArgument, "--from needs a data directory, e.g. sqlite:./aerolith-data")
        }
        return directory
    }

    private func targetURL() throws -> String {
        let location: StorageLocation
        do {
            location = try StorageLocation(parsing: to)
        } catch {
            throw CLIError(.invalidArgument, "--to: \(error.message)")
        }
        guard case .postgres(let url) = location else {
            throw CLIError(
                .invalidArgument,
                "--to names the PostgreSQL database to copy into as postgres://USER:PASSWORD@HOST:PORT/DATABASE, not \(location)")
        }
        return url
    }

    /// `storage_unavailable` exits 3 (nothing reached); other storage codes 2, migration codes 1.
    static func cliError(_ error: any Error, side: String) -> CLIError {
        switch error {
        case let error as StorageError:
            return CLIError(
                code: error.code.rawValue, error.message,
                exitCode: error.code == .storageUnavailable ? ExitStatus.connectionFailed : ExitStatus.usage)
        case let error as MigrationError:
            return CLIError(code: error.code.rawValue, error.message, exitCode: ExitStatus.migrationRefused)
        default:
            return CLIError(code: StorageError.Code.storageFailure.rawValue, "\(side) failed: \(error)", exitCode: ExitStatus.usage)
        }
    }

    /// One line on standard output, written at once (progress is read as it happens).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
