/// Copies everything one store holds into another: every placement's collections with their
/// creation times and index definitions, every document exactly as stored (id, row id, version,
/// timestamps, body), and every key-value namespace; then verifies both sides collection by
/// collection and namespace by namespace (`MigrationDigest`, and each store's own counters).
///
/// Resumable: documents are copied in id order, a page per transaction, with writes that replace
/// a document of the same id, so an interrupted copy leaves the target holding a prefix of each
/// collection. A new run finds that prefix, checks it matches the source and copies the rest; a
/// collection or namespace the target already holds whole is not copied again.
///
/// Never merges two deployments: when the target holds anything that is not such a prefix (a
/// collection, placement, namespace, key, index or document the source lacks or holds
/// otherwise), `plan()` refuses with `migration_target_conflict` before anything is written.
///
/// Both stores must be idle meanwhile: writes to either during a run are not part of the copy.
public struct StorageMigration: Sendable {
    /// Documents per page read and per transaction written, unless the caller chooses.
    public static let batchSizeDocumentsDefault = 500
    public static let batchSizeDocumentsMax = 10_000
    /// Key-value entries per page read and per transaction written.
    static let keyValuePageEntries = 500
    /// Most conflicts named in one refusal.
    static let conflictsReportedMax = 10
    /// Longest the copy waits for an index built in the background on the target, in milliseconds.
    public static let indexReadyWaitMillisecondsMax = 30 * 60 * 1_000
    static let indexReadyPollMilliseconds = 200

    /// What a run is doing, for progress lines.
    public enum Progress: Sendable {
        case collectionStarted(placement: Placement, name: String, documents: Int64, start: MigrationReport.Start)
        case documentsCopied(placement: Placement, name: String, copied: Int64, total: Int64)
        case waitingForIndexes(placement: Placement, name: String)
        case namespaceCopied(namespace: String, entries: Int64, start: MigrationReport.Start)
        case verifying
    }

    /// One collection of the source and how its copy begins.
    struct CollectionPlan: Sendable {
        let placement: Placement
        let name: CollectionName
        let info: CollectionInfo
        let indexes: [IndexInfo]
        let start: MigrationReport.Start
    }

    struct NamespacePlan: Sendable {
        let namespace: String
        let start: MigrationReport.Start
    }

    let source: any MigratableStore
    let target: any MigratableStore
    let batchSizeDocuments: Int

    public init(from source: any MigratableStore, to target: any MigratableStore, batchSizeDocuments: Int = batchSizeDocumentsDefault) {
        precondition((1...Self.batchSizeDocumentsMax).contains(batchSizeDocuments))
        self.source = source
        self.target = target
        self.batchSizeDocuments = batchSizeDocuments
    }

    /// Plans, copies and verifies. Throws `migration_target_conflict` before writing anything when
    /// the target holds other data; returns the report whether or not everything matches.
    public func run(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> MigrationReport {
        let (collections, namespaces) = try await plan()
        var copied: [String: Int64] = [:]
        var skippedIndexes: [String: [String]] = [:]
        for plan in collections {
            let key = "\(plan.placement.tablePrefix)/\(plan.name)"
            progress(
                .collectionStarted(
                    placement: plan.placement, name: plan.name.rawValue, documents: plan.info.documentCount, start: plan.start))
            try await createCollection(plan)
            skippedIndexes[key] = try await createIndexes(plan)
            copied[key] = try await copyDocuments(plan, progress: progress)
            try await waitForIndexes(plan, progress: progress)
        }
        var entriesCopied: [String: Int64] = [:]
        for plan in namespaces where plan.start != .complete {
            entriesCopied[plan.namespace] = try await copyKeyValues(plan.namespace)
            progress(.namespaceCopied(namespace: plan.namespace, entries: entriesCopied[plan.namespace] ?? 0, start: plan.start))
        }
        progress(.verifying)
        var report = MigrationReport()
        for plan in collections {
            let key = "\(plan.placement.tablePrefix)/\(plan.name)"
            report.collections.append(
                try await verify(plan, copied: copied[key] ?? 0, skippedIndexes: skippedIndexes[key] ?? []))
        }
        for plan in namespaces {
            report.namespaces.append(
                MigrationReport.NamespaceResult(
                    namespace: plan.namespace, start: plan.start, copied: entriesCopied[plan.namespace] ?? 0,
                    source: try await MigrationDigest.keyValues(namespace: plan.namespace, on: source, pageSize: Self.keyValuePageEntries),
                    target: try await MigrationDigest.keyValues(namespace: plan.namespace, on: target, pageSize: Self.keyValuePageEntries)))
        }
        return report
    }

    /// Creates the source's indexes the target lacks; returns those skipped because their build
    /// had failed on the source (the operator drops and creates them again).
    /// Creates the collection on the target with its creation time, unless an interrupted run did.
    private func createCollection(_ plan: CollectionPlan) async throws(StorageError) {
        do {
            _ = try await target.createCollection(plan.name, createdAt: plan.info.createdAt, in: plan.placement)
        } catch {
            guard error.code == .collectionExists else { throw error }
        }
    }

    private func createIndexes(_ plan: CollectionPlan) async throws(StorageError) -> [String] {
        let existing = Set(try await target.indexes(on: plan.name, placement: plan.placement).map { $0.name.lowercased() })
        var skipped: [String] = []
        for index in plan.indexes {
            guard index.state != .failed else {
                skipped.append(index.name)
                continue
            }
            guard !existing.contains(index.name.lowercased()) else { continue }
            var paths: [FieldPath] = []
            for path in index.paths { paths.append(try FieldPath(path)) }
            let definition = try IndexDefinition(name: index.name, paths: paths, unique: index.unique)
            _ = try await target.createIndex(definition, on: plan.name, placement: plan.placement)
        }
        return skipped
    }

    /// Copies the documents after the plan's start, a page per transaction; returns how many.
    private func copyDocuments(_ plan: CollectionPlan, progress: @Sendable (Progress) -> Void) async throws(StorageError) -> Int64 {
        var after: String?
        var done: Int64 = 0
        switch plan.start {
        case .complete: return 0
        case .fresh: break
        case .resume(let last, let copied):
            after = last
            done = copied
        }
        var copied: Int64 = 0
        while true {
            let page = try await source.exportDocuments(of: plan.name, in: plan.placement, after: after, limit: batchSizeDocuments)
            guard let last = page.last else { return copied }
            try await target.importDocuments(page, into: plan.name, in: plan.placement)
            copied += Int64(page.count)
            progress(
                .documentsCopied(
                    placement: plan.placement, name: plan.name.rawValue, copied: done + copied, total: plan.info.documentCount))
            guard page.count == batchSizeDocuments else { return copied }
            after = last.id
        }
    }

    /// Waits until every index of the collection is ready on the target (a large collection's
    /// index is built in the background); fails with `migration_index_not_ready` past the limit or
    /// when a build failed.
    private func waitForIndexes(_ plan: CollectionPlan, progress: @Sendable (Progress) -> Void) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Self.indexReadyWaitMillisecondsMax)
        var announced = false
        while true {
            let indexes = try await target.indexes(on: plan.name, placement: plan.placement)
            if let failed = indexes.first(where: { $0.state == .failed }) {
                throw MigrationError(
                    .indexNotReady,
                    "index \"\(failed.name)\" of \(plan.placement.tablePrefix)/\(plan.name) failed to build on the target: \(failed.failure ?? "no reason given")"
                )
            }
            guard indexes.contains(where: { $0.state == .building }) else { return }
            guard ContinuousClock.now < deadline else {
                throw MigrationError(
                    .indexNotReady,
                    "an index of \(plan.placement.tablePrefix)/\(plan.name) is still building on the target after \(Self.indexReadyWaitMillisecondsMax / 1_000) s; run the command again to verify"
                )
            }
            if !announced {
                progress(.waitingForIndexes(placement: plan.placement, name: plan.name.rawValue))
                announced = true
            }
            try await Task.sleep(for: .milliseconds(Self.indexReadyPollMilliseconds))
        }
    }

    /// Copies every entry of `namespace`, replacing values of keys the target holds; returns how many.
    private func copyKeyValues(_ namespace: String) async throws(StorageError) -> Int64 {
        var after: [UInt8]?
        var copied: Int64 = 0
        while true {
            let page = try await source.exportKeyValues(namespace: namespace, after: after, limit: Self.keyValuePageEntries)
            guard let last = page.last else { return copied }
            try await target.importKeyValues(page, namespace: namespace)
            copied += Int64(page.count)
            guard page.count == Self.keyValuePageEntries else { return copied }
            after = last.key
        }
    }

    private func verify(_ plan: CollectionPlan, copied: Int64, skippedIndexes: [String]) async throws(StorageError)
        -> MigrationReport.CollectionResult
    {
        let targetIndexes = try await target.indexes(on: plan.name, placement: plan.placement)
        return MigrationReport.CollectionResult(
            placement: plan.placement, name: plan.name.rawValue, start: plan.start, copied: copied,
            source: try await MigrationDigest.documents(of: plan.name, in: plan.placement, on: source, pageSize: batchSizeDocuments),
            target: try await MigrationDigest.documents(of: plan.name, in: plan.placement, on: target, pageSize: batchSizeDocuments),
            sourceInfo: try await source.collection(plan.name, in: plan.placement),
            targetInfo: try await target.collection(plan.name, in: plan.placement),
            sourceIndexes: Self.describe(plan.indexes.filter { $0.state != .failed }), targetIndexes: Self.describe(targetIndexes),
            indexesReady: targetIndexes.allSatisfy { $0.state == .ready }, skippedIndexes: skippedIndexes)
    }

    /// Index definitions as comparable text, by name: `name(path,path)` or `name(path)!` for unique.
    static func describe(_ indexes: [IndexInfo]) -> [String] {
        indexes.map { "\($0.name)(\($0.paths.joined(separator: ",")))\($0.unique ? "!" : "")" }.sorted()
    }
}
