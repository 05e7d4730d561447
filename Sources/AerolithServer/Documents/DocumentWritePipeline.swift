import AerolithJSON
import AerolithKernel
import AerolithPlatform
import AerolithStorage
import Hummingbird

/// Document writes with the tenant's plugin hooks around them: before-write (validate,
/// transform, reject) ahead of the store, after-write and document events once committed.
///
/// With no before-write hook active the write goes straight to the store. With one, the host
/// first works out the body that will be stored (assigning ids, applying merge patches to the
/// current version), lets the chain see it, and then stores the result conditionally on the
/// version it read, so a concurrent writer cannot slip in between (patches retry on conflict).
struct DocumentWritePipeline {
    let services: ServerServices
    let tenantID: String
    let requestID: String
    let collection: CollectionName
    let placement: Placement
    let store: any DocumentStore
    let hooks: TenantHooks

    /// Retries of a hooked patch whose document changed between read and write.
    static let patchConflictRetriesMax = 3

    init(_ services: ServerServices, context: AerolithRequestContext) throws {
        self.services = services
        guard let tenantID = context.principal?.tenantID else { throw PlatformError(.forbidden, "this route needs a tenant API key") }
        self.tenantID = tenantID
        requestID = context.requestID
        collection = try context.collectionName()
        placement = try context.tenantPlacement()
        store = try context.tenantStore()
        hooks = services.plugins.hooks(forTenant: tenantID)
    }

    var plugins: PluginRegistry { services.plugins }

    func create(_ body: JSONObject, id: DocumentID?) async throws -> Document {
        var body = body
        var id = id
        if hooks.hasBeforeWrite {
            let assigned = id ?? DocumentID.generate()
            body = try before(.create, id: assigned, body: body, previousVersion: 0)
            id = assigned
        }
        let document = try await store.insert(body, id: id, into: collection, in: placement)
        committed(.create, document)
        return document
    }

    func replace(_ id: DocumentID, with body: JSONObject, expectedVersion: Int64?, mode: ReplaceMode) async throws -> (
        document: Document, created: Bool
    ) {
        var body = body
        var expected = expectedVersion
        var mode = mode
        if hooks.hasBeforeWrite {
            let current = try await store.findDocument(id, in: collection, placement: placement.readingFromPrimary)
            body = try before(current == nil ? .create : .replace, id: id, body: body, previousVersion: current?.version ?? 0)
            // Store exactly over what the hooks judged: the version read, or its absence.
            if let current, expected == nil, mode != .createOnly {
                expected = current.version
                mode = .replaceOnly
            } else if current == nil, mode == .upsert {
                mode = .createOnly
            }
        }
        let result = try await store.replace(id, with: body, expectedVersion: expected, mode: mode, in: collection, placement: placement)
        committed(result.created ? .create : .replace, result.document)
        return result
    }

    func patch(_ id: DocumentID, with patch: JSONObject, expectedVersion: Int64?) async throws -> Document {
        guard hooks.hasBeforeWrite else {
            let document = try await store.patch(
                id, with: .object(patch), expectedVersion: expectedVersion, in: collection, placement: placement)
            committed(.patch, document)
            return document
        }
        var attempt = 0
        while true {
            let current = try await store.document(id, in: collection, placement: placement.readingFromPrimary)
            if let expectedVersion, expectedVersion != current.version {
                throw StorageError(.versionConflict, "document \"\(id)\" is at version \(current.version), not \(expectedVersion)")
            }
            guard case .object(let currentBody) = try JSONParser.parse(current.body),
                case .object(let merged) = MergePatch.apply(.object(patch), to: .object(currentBody))
            else {
                throw StorageError(.storageFailure, "document \"\(id)\" is unreadable")
            }
            let body = try before(.patch, id: id, body: merged, previousVersion: current.version)
            do throws(StorageError) {
                let (document, _) = try await store.replace(
                    id, with: body, expectedVersion: current.version, mode: .replaceOnly,
                    in: collection, placement: placement)
                committed(.patch, document)
                return document
            } catch {
                guard error.code == .versionConflict, expectedVersion == nil, attempt < Self.patchConflictRetriesMax else { throw error }
                attempt += 1
            }
        }
    }

    func delete(_ id: DocumentID, expectedVersion: Int64?) async throws {
        var expected = expectedVersion
        var previous: Int64 = 0
        if hooks.hasBeforeWrite {
            let current = try await store.document(id, in: collection, placement: placement.readingFromPrimary)
            previous = current.version
            _ = try before(.delete, id: id, body: nil, previousVersion: current.version)
            expected = expected ?? current.version
        }
        try await store.delete(id, expectedVersion: expected, in: collection, placement: placement)
        deleted(id: id.rawValue, previousVersion: previous)
    }

    /// After-write hooks and the event of a committed delete.
    func deleted(id: String, previousVersion: Int64) {
        afterWrite(.delete, id: id, body: [], previousVersion: previousVersion, version: 0)
        publish(action: "deleted", id: id, version: previousVersion, body: nil)
    }

    // MARK: Hooks

    /// Runs the before-write chain; returns the body to store.
    func before(_ operation: PluginRegistry.WriteOperation, id: DocumentID, body: JSONObject?, previousVersion: Int64) throws -> JSONObject
    {
        let bytes = try body.map { Array(try DocumentBody.serialize($0).utf8) } ?? []
        let input = PluginRegistry.DocumentWriteInput(
            operation: operation, collection: collection.rawValue, documentID: id.rawValue,
            body: bytes, previousVersion: previousVersion, version: 0)
        switch plugins.beforeWrite(hooks, tenantID: tenantID, requestID: requestID, input, isValidBody: { Self.parseBody($0) != nil }) {
        case .accepted(let transformed):
            if let transformed, let object = Self.parseBody(transformed) { return object }
            return body ?? JSONObject(members: [])
        case .rejected(let plugin, let code, let message):
            throw Problem(
                status: .unprocessableContent, code: code, detail: message.isEmpty ? "the write was rejected by plugin \(plugin)" : message)
        case .failed(let failure):
            throw PluginProblem.failed(failure)
        }
    }

    static func parseBody(_ bytes: [UInt8]) -> JSONObject? {
        guard bytes.count <= StorageLimits.documentSizeBytesMax else { return nil }
        let value = try? bytes.withUnsafeBytes { raw throws(JSONError) in try JSONParser.parse(raw, limits: .document) }
        guard case .object(let object)? = value else { return nil }
        return object
    }

    /// After-write hooks and the document event of a committed write.
    func committed(_ operation: PluginRegistry.WriteOperation, _ document: Document) {
        afterWrite(
            operation, id: document.id, body: Array(document.body.utf8), previousVersion: document.version - 1, version: document.version)
        let action =
            switch operation {
            case .create: "created"
            case .replace: "replaced"
            case .patch: "patched"
            case .delete: "deleted"
            }
        publish(action: action, id: document.id, version: document.version, body: document.body)
    }

    private func afterWrite(_ operation: PluginRegistry.WriteOperation, id: String, body: [UInt8], previousVersion: Int64, version: Int64) {
        guard hooks.hasAfterWrite else { return }
        let input = PluginRegistry.DocumentWriteInput(
            operation: operation, collection: collection.rawValue, documentID: id, body: body,
            previousVersion: previousVersion, version: version)
        for failure in plugins.afterWrite(hooks, tenantID: tenantID, requestID: requestID, input) {
            services.logger.warning(
                "an after-write hook failed",
                metadata: [
                    "plugin": "\(failure.plugin)", "hook": "\(failure.hook)", "status": "\(failure.status)", "detail": "\(failure.message)",
                ])
        }
    }

    private func publish(action: String, id: String, version: Int64, body: String?) {
        guard hooks.hasEvents else { return }
        let collection = collection.rawValue
        plugins.publish(tenantID: tenantID, kind: .document, timeMilliseconds: Timestamp.now().milliseconds) {
            var bytes = Array(#"{"action":"#.utf8)
            JSONWriter.writeString(action, into: &bytes)
            bytes.append(contentsOf: #","collection":"#.utf8)
            JSONWriter.writeString(collection, into: &bytes)
            bytes.append(contentsOf: #","id":"#.utf8)
            JSONWriter.writeString(id, into: &bytes)
            bytes.append(contentsOf: #","version":\#(version)"#.utf8)
            if let body {
                bytes.append(contentsOf: #","data":"#.utf8)
                bytes.append(contentsOf: body.utf8)
            }
            bytes.append(UInt8(ascii: "}"))
            return bytes
        }
    }
}
