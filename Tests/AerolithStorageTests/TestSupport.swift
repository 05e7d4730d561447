import AerolithJSON
import AerolithStorage
import Foundation

/// A store in a fresh temporary directory, removed when the value is released.
final class TemporaryStore {
    let directory: String
    let store: SQLiteDocumentStore
    let placement: Placement

    init(prefix: String = "t_test", queryBudget: QueryBudget = .standard) throws {
        directory = NSTemporaryDirectory() + "aerolith-storage-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try SQLiteDocumentStore(directory: directory, queryBudget: queryBudget)
        placement = try Placement(tablePrefix: prefix)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func collection(_ name: String) async throws -> CollectionName {
        let collection = try CollectionName(name)
        _ = try await store.createCollection(collection, in: placement)
        return collection
    }
}

func object(_ text: String) throws -> JSONObject {
    guard case .object(let object) = try JSONParser.parse(text) else { throw StorageError(.bodyNotObject, "not an object") }
    return object
}

func expectCode<T>(_ code: StorageError.Code, _ body: () async throws -> T) async -> Bool {
    do {
        _ = try await body()
        return false
    } catch let error as StorageError {
        return error.code == code
    } catch {
        return false
    }
}
