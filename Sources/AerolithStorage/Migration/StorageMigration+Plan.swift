/// The first step of a run: what the source holds, and how far an earlier run got on the target.
/// Reads only; every conflict found is reported together before anything is written.
extension StorageMigration {
    func plan() async throws -> (collections: [CollectionPlan], namespaces: [NamespacePlan]) {
        var conflicts: [String] = []
        let sourcePlacements = try await source.migrationPlacements()
        let targetPrefixes = Set(try await target.migrationPlacements().map(\.tablePrefix))
        for prefix in targetPrefixes.subtracting(sourcePlacements.map(\.tablePrefix)).sorted() {
            conflicts.append("the target holds collections of placement \(prefix), which the source has none of")
        }
        var collections: [CollectionPlan] = []
        for placement in sourcePlacements {
            let sourceCollections = try await source.collections(in: placement)
            let targetCollections = targetPrefixes.contains(placement.tablePrefix) ? try await target.collections(in: placement) : []
            let sourceNames = Set(sourceCollections.map(\.name))
            for extra in targetCollections where !sourceNames.contains(extra.name) {
                conflicts.append("the target holds collection \(placement.tablePrefix)/\(extra.name), which the source lacks")
            }
            let targetNames = Set(targetCollections.map(\.name))
            for info in sourceCollections {
                let name = try CollectionName(info.name)
                let indexes = try await source.indexes(on: name, placement: placement)
                var start = MigrationReport.Start.fresh
                if targetNames.contains(info.name) {
                    let label = "\(placement.tablePrefix)/\(info.name)"
                    conflicts += try await indexConflicts(indexes, on: name, in: placement, label: label)
                    switch try await documentPrefix(of: name, in: placement) {
                    case .success(let found): start = found
                    case .failure(let conflict): conflicts.append("\(label): \(conflict.reason)")
                    }
                }
                collections.append(CollectionPlan(placement: placement, name: name, info: info, indexes: indexes, start: start))
            }
        }
        let sourceNamespaces = try await source.keyValueNamespaces()
        let targetNamespaces = Set(try await target.keyValueNamespaces())
        for extra in targetNamespaces.subtracting(sourceNamespaces).sorted() {
            conflicts.append("the target holds key-value namespace \(extra), which the source lacks")
        }
        var namespaces: [NamespacePlan] = []
        for namespace in sourceNamespaces {
            var start = MigrationReport.Start.fresh
            if targetNamespaces.contains(namespace) {
                switch try await keyValueSubset(namespace) {
                case .success(let found): start = found
                case .failure(let conflict): conflicts.append("key-value namespace \(namespace): \(conflict.reason)")
                }
            }
            namespaces.append(NamespacePlan(namespace: namespace, start: start))
        }
        guard conflicts.isEmpty else {
            let shown = conflicts.prefix(Self.conflictsReportedMax).joined(separator: "; ")
            let more = conflicts.count > Self.conflictsReportedMax ? " (and \(conflicts.count - Self.conflictsReportedMax) more)" : ""
            throw MigrationError(
                .targetConflict,
                "the target already holds other data, not an interrupted copy of this source: \(shown)\(more). Nothing was written; migrate into an empty database"
            )
        }
        return (collections, namespaces)
    }

    struct Conflict: Error {
        let reason: String
    }

    /// Target indexes the source does not have with the same paths and uniqueness.
    private func indexConflicts(_ sourceIndexes: [IndexInfo], on name: CollectionName, in placement: Placement, label: String)
        async throws -> [String]
    {
        func indexName(_ described: String) -> String { described.prefix { character in character != "(" }.lowercased() }
        let expected = Dictionary(Self.describe(sourceIndexes).map { (indexName($0), $0) }) { first, _ in first }
        return try await Self.describe(target.indexes(on: name, placement: placement)).compactMap { index in
            expected[indexName(index)] == index ? nil : "\(label): the target's index \(index) is not the source's"
        }
    }

    /// How far the target's documents match the source's from the first id on: none, the first
    /// n (an interrupted copy), or all; a conflict when the target holds any document that is not
    /// the source's next one, identical.
    private func documentPrefix(of name: CollectionName, in placement: Placement) async throws -> Result<MigrationReport.Start, Conflict> {
        var sourcePage = try await source.exportDocuments(of: name, in: placement, after: nil, limit: batchSizeDocuments)
        var sourceIndex = 0
        var targetAfter: String?
        var matched: Int64 = 0
        var lastID: String?
        while true {
            let targetPage = try await target.exportDocuments(of: name, in: placement, after: targetAfter, limit: batchSizeDocuments)
            for held in targetPage {
                if sourceIndex == sourcePage.count, sourcePage.count == batchSizeDocuments, let last = sourcePage.last {
                    sourcePage = try await source.exportDocuments(of: name, in: placement, after: last.id, limit: batchSizeDocuments)
                    sourceIndex = 0
                }
                guard sourceIndex < sourcePage.count else {
                    return .failure(Conflict(reason: "the target holds document \(held.id) after every document of the source"))
                }
                let expected = sourcePage[sourceIndex]
                guard expected == held else {
                    let reason =
                        expected.id == held.id
                        ? "document \(held.id) differs (target version \(held.version), source version \(expected.version))"
                        : expected.id < held.id
                            ? "the target lacks document \(expected.id) but holds later ones"
                            : "the target holds document \(held.id), which the source lacks"
                    return .failure(Conflict(reason: reason))
                }
                sourceIndex += 1
                matched += 1
                lastID = held.id
            }
            guard targetPage.count == batchSizeDocuments, let last = targetPage.last else { break }
            targetAfter = last.id
        }
        // An empty collection the target already has is complete too.
        guard let lastID else { return .success(sourcePage.isEmpty ? .complete : .fresh) }
        var more = sourceIndex < sourcePage.count
        if !more && sourcePage.count == batchSizeDocuments {
            more = !(try await source.exportDocuments(of: name, in: placement, after: lastID, limit: 1)).isEmpty
        }
        return .success(more ? .resume(after: lastID, copied: matched) : .complete)
    }

    /// Whether every entry the target holds in `namespace` is the source's, with the same value:
    /// all of them (`complete`), some (`resume`, copied again whole), or a conflict.
    private func keyValueSubset(_ namespace: String) async throws -> Result<MigrationReport.Start, Conflict> {
        var sourcePage = try await source.exportKeyValues(namespace: namespace, after: nil, limit: Self.keyValuePageEntries)
        var sourceIndex = 0
        var targetAfter: [UInt8]?
        var held: Int64 = 0
        var missing = false
        while true {
            let targetPage = try await target.exportKeyValues(namespace: namespace, after: targetAfter, limit: Self.keyValuePageEntries)
            for entry in targetPage {
                // Source entries before this key are ones the target lacks (an interrupted copy).
                while true {
                    if sourceIndex == sourcePage.count, sourcePage.count == Self.keyValuePageEntries, let last = sourcePage.last {
                        sourcePage = try await source.exportKeyValues(
                            namespace: namespace, after: last.key, limit: Self.keyValuePageEntries)
                        sourceIndex = 0
                    }
                    guard sourceIndex < sourcePage.count, sourcePage[sourceIndex].key.lexicographicallyPrecedes(entry.key) else { break }
                    sourceIndex += 1
                    missing = true
                }
                guard sourceIndex < sourcePage.count, sourcePage[sourceIndex].key == entry.key else {
                    return .failure(Conflict(reason: "the target holds a key the source lacks"))
                }
                guard sourcePage[sourceIndex].value == entry.value else {
                    return .failure(Conflict(reason: "the target holds another value for a key"))
                }
                sourceIndex += 1
                held += 1
            }
            guard targetPage.count == Self.keyValuePageEntries, let last = targetPage.last else { break }
            targetAfter = last.key
        }
        let source = try await MigrationDigest.keyValues(namespace: namespace, on: source, pageSize: Self.keyValuePageEntries)
        if !missing && source.count == held { return .success(.complete) }
        return .success(held == 0 ? .fresh : .resume(after: "", copied: held))
    }
}
