import AerolithExecution
import Logging

/// The open stores of every configured storage target, and which one is the default.
///
/// Every target is opened at start, so a bad URL or an unreachable server is a startup error,
/// not a failure of some tenant's first request.
public final class StorageTargets: Sendable {
    public let defaultName: String
    /// The default target's store: the platform's own records and every placement naming no other target.
    public let defaultStore: any DocumentStore
    private let stores: [String: any DocumentStore]

    public init(defaultName: String, stores: [String: any DocumentStore]) {
        guard let defaultStore = stores[defaultName] else { preconditionFailure("no store for the default target \(defaultName)") }
        self.defaultName = defaultName
        self.defaultStore = defaultStore
        self.stores = stores
    }

    /// A deployment of one store, named `StorageConfiguration.singleTargetName`.
    public convenience init(single store: any DocumentStore) {
        self.init(defaultName: StorageConfiguration.singleTargetName, stores: [StorageConfiguration.singleTargetName: store])
    }

    /// Opens every target of `configuration`.
    public static func open(
        _ configuration: StorageConfiguration, durability: SQLiteDocumentStore.Durability, queryBudget: QueryBudget,
        queryWork: FairWorkerPool?, logger: Logger
    ) async throws(StorageError) -> StorageTargets {
        var stores: [String: any DocumentStore] = [:]
        for (name, location) in configuration.targets.sorted(by: { $0.key < $1.key }) {
            do throws(StorageError) {
                switch location {
                case .sqlite(let directory):
                    stores[name] = try SQLiteDocumentStore(
                        directory: directory, durability: durability, queryBudget: queryBudget, queryWork: queryWork, logger: logger)
                case .postgres(let url):
                    stores[name] = try await PostgresDocumentStore.open(
                        url: url, queryBudget: queryBudget, queryWork: queryWork, logger: logger)
                }
            } catch {
                throw StorageError(error.code, "storage target \"\(name)\" (\(location)): \(error.message)")
            }
        }
        return StorageTargets(defaultName: configuration.defaultTarget, stores: stores)
    }

    /// The store `placement` lives on: its target's, or the default one.
    public func store(for placement: Placement) throws(StorageError) -> any DocumentStore {
        guard let target = placement.target, target != defaultName else { return defaultStore }
        guard let store = stores[target] else {
            throw StorageError(
                .invalidStorageConfiguration, "the placement \(placement) names storage target \"\(target)\", which is not configured")
        }
        return store
    }

    /// Every target's store, by name.
    public var all: [(name: String, store: any DocumentStore)] {
        stores.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
