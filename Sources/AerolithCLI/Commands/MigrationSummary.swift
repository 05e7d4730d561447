import AerolithStorage

/// The text `aerolith migrate-storage` prints: a progress line as each collection and namespace
/// is copied, then a table of both sides' counts and checksums.
enum MigrationSummary {
    /// Hex digits of a checksum shown in the table (the full SHA-256 is in the error when one differs).
    static let checksumDigitsShown = 16

    static func progressLine(_ progress: StorageMigration.Progress) {
        switch progress {
        case .collectionStarted(let placement, let name, let documents, let start):
            let what =
                switch start {
                case .fresh: "copying"
                case .resume(let after, let copied): "resuming after \(copied) documents (id \(after))"
                case .complete: "already copied, verifying only"
                }
            MigrateStorageCommand.say("\(placement.tablePrefix)/\(name): \(documents) documents, \(what)")
        case .documentsCopied(let placement, let name, let copied, let total):
            MigrateStorageCommand.say("\(placement.tablePrefix)/\(name): \(copied)/\(total) documents")
        case .waitingForIndexes(let placement, let name):
            MigrateStorageCommand.say("\(placement.tablePrefix)/\(name): waiting for indexes to be built on the target")
        case .namespaceCopied(let namespace, let entries, _):
            MigrateStorageCommand.say("key-value \(namespace): \(entries) entries copied")
        case .verifying:
            MigrateStorageCommand.say("verifying")
        }
    }

    static func print(_ report: MigrationReport) {
        var rows: [[String]] = []
        for result in report.collections {
            rows.append([
                "\(result.placement.tablePrefix)/\(result.name)", action(result.start, copied: result.copied),
                "\(result.source.count)", checksum(result.source), "\(result.target.count)", checksum(result.target),
                result.matches ? "ok" : "DIFFERENT",
            ])
            for index in result.skippedIndexes {
                rows.append(["  index \(index)", "not created: its build had failed on the source", "", "", "", "", ""])
            }
        }
        for result in report.namespaces {
            rows.append([
                "kv:\(result.namespace)", action(result.start, copied: result.copied), "\(result.source.count)", checksum(result.source),
                "\(result.target.count)", checksum(result.target), result.matches ? "ok" : "DIFFERENT",
            ])
        }
        let headers = ["COLLECTION", "COPIED", "SOURCE", "SOURCE SHA-256", "TARGET", "TARGET SHA-256", "RESULT"]
        MigrateStorageCommand.say(Table.render(headers, rows))
        let differing = report.collections.filter { !$0.matches }.count + report.namespaces.filter { !$0.matches }.count
        MigrateStorageCommand.say(
            "\(report.collections.count) collections, \(report.documentsCopied) documents copied; \(report.namespaces.count) key-value namespaces, \(report.entriesCopied) entries copied; "
                + (differing == 0 ? "all verified equal" : "\(differing) differ"))
    }

    private static func action(_ start: MigrationReport.Start, copied: Int64) -> String {
        switch start {
        case .fresh: "\(copied)"
        case .resume: "\(copied) (resumed)"
        case .complete: "0 (done before)"
        }
    }

    private static func checksum(_ digest: MigrationDigest) -> String { String(digest.sha256.prefix(checksumDigitsShown)) }
}
