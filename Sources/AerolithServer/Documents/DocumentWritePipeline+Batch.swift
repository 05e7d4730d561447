import AerolithJSON
import AerolithKernel
import AerolithStorage

extension DocumentWritePipeline {
    /// An atomic batch with the hooks: each operation passes the before-write chain (a rejection
    /// fails the whole batch, naming the operation), then the batch commits as one transaction,
    /// then every committed operation runs the after-write hooks and publishes its event.
    func batch(_ operations: [BatchOperation]) async throws -> [BatchResult] {
        var prepared = operations
        var previousVersions = [Int64](repeating: 0, count: operations.count)
        if hooks.hasBeforeWrite {
            for (index, operation) in operations.enumerated() {
                do {
                    switch operation {
                    case .insert(let id, let body):
                        let assigned = id ?? DocumentID.generate()
                        prepared[index] = .insert(id: assigned, body: try before(.create, id: assigned, body: body, previousVersion: 0))
                    case .replace(let id, let body, let expected):
                        let current = try await store.findDocument(id, in: collection, placement: placement.readingFromPrimary)
                        previousVersions[index] = current?.version ?? 0
                        let stored = try before(
                            current == nil ? .create : .replace, id: id, body: body, previousVersion: current?.version ?? 0)
                        prepared[index] = .replace(id: id, body: stored, expectedVersion: expected ?? current?.version)
                    case .patch(let id, let patch, let expected):
                        let current = try await store.document(id, in: collection, placement: placement.readingFromPrimary)
                        previousVersions[index] = current.version
                        guard case .object(let currentBody) = try JSONParser.parse(current.body),
                            case .object(let merged) = MergePatch.apply(patch, to: .object(currentBody))
                        else {
                            throw StorageError(.storageFailure, "document \"\(id)\" is unreadable")
                        }
                        let stored = try before(.patch, id: id, body: merged, previousVersion: current.version)
                        prepared[index] = .replace(id: id, body: stored, expectedVersion: expected ?? current.version)
                    case .delete(let id, let expected):
                        let current = try await store.document(id, in: collection, placement: placement.readingFromPrimary)
                        previousVersions[index] = current.version
                        _ = try before(.delete, id: id, body: nil, previousVersion: current.version)
                        prepared[index] = .delete(id: id, expectedVersion: expected ?? current.version)
                    }
                } catch var problem as Problem {
                    problem.operationIndex = index
                    throw problem
                } catch var error as StorageError {
                    error.operationIndex = index
                    throw error
                }
            }
        }
        let results = try await store.batch(prepared, in: collection, placement: placement)
        for (index, result) in results.enumerated() {
            switch (result, operations[index]) {
            case (.written(let document, let created), .patch): committed(created ? .create : .patch, document)
            case (.written(let document, let created), _): committed(created ? .create : .replace, document)
            case (.deleted(let id), _): deleted(id: id, previousVersion: previousVersions[index])
            }
        }
        return results
    }
}
