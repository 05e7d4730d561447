import AerolithStorage
import CAerolithPlugin

/// The document write hooks: before-write (validate, transform, reject) and after-write.
extension PluginRegistry {
    public enum WriteOperation: UInt32, Sendable {
        case create = 1
        case replace = 2
        case patch = 3
        case delete = 4
    }

    public struct DocumentWriteInput: Sendable {
        public var operation: WriteOperation
        public var collection: String
        public var documentID: String
        /// The document's JSON object as it will be (before-write) or was (after-write) stored;
        /// empty for deletes.
        public var body: [UInt8]
        public var previousVersion: Int64
        public var version: Int64

        public init(
            operation: WriteOperation, collection: String, documentID: String, body: [UInt8], previousVersion: Int64, version: Int64
        ) {
            self.operation = operation
            self.collection = collection
            self.documentID = documentID
            self.body = body
            self.previousVersion = previousVersion
            self.version = version
        }
    }

    public enum BeforeWriteOutcome: Sendable, Equatable {
        /// Store the body; `transformed` is the new body when a hook replaced it.
        case accepted(transformed: [UInt8]?)
        case rejected(plugin: String, code: String, message: String)
        case failed(HookFailure)
    }

    /// Runs the tenant's before-write chain. Each hook sees the body as the hooks before it left
    /// it; `isValidBody` checks every transformed body (one JSON object within the size limit).
    public func beforeWrite(
        _ hooks: TenantHooks, tenantID: String, requestID: String, _ input: DocumentWriteInput,
        isValidBody: ([UInt8]) -> Bool
    ) -> BeforeWriteOutcome {
        guard hooks.hasBeforeWrite else { return .accepted(transformed: nil) }
        var body = input.body
        var transformed = false
        for hook in hooks.beforeWrite {
            let step = HostBuffers.with(capacityBytes: StorageLimits.documentSizeBytesMax) { output -> BeforeWriteOutcome? in
                var result = aerolith_before_write_result()
                result.struct_size = UInt32(MemoryLayout<aerolith_before_write_result>.size)
                result.action = UInt32(AEROLITH_WRITE_ACCEPT)
                result.body = OpaquePointer(output)
                let outcome = withWrite(input, body: body) { write in
                    withUnsafeMutablePointer(to: &result) { result in
                        SliceText.with(tenantID) { tenant in
                            SliceText.with(requestID) { request in
                                hook.invoke(tenantID: tenant, requestID: request) { userData, call in
                                    unsafeBitCast(hook.function, to: aerolith_before_write_fn.self)(userData, call, write, result)
                                }
                            }
                        }
                    }
                }
                // A check that cannot run (its plugin is being re-activated or detached) refuses.
                guard let outcome else { return .failed(HookFailure(unavailable: hook)) }
                guard outcome.isOK else { return .failed(HookFailure(hook, outcome)) }
                switch result.action {
                case UInt32(AEROLITH_WRITE_ACCEPT):
                    return nil
                case UInt32(AEROLITH_WRITE_TRANSFORM):
                    let candidate = output.pointee.bytes
                    guard input.operation != .delete else { return .failed(HookFailure(hook, message: "a delete cannot be transformed")) }
                    guard isValidBody(candidate) else {
                        return .failed(
                            HookFailure(hook, message: "the transformed body is not one JSON object within the document size limit"))
                    }
                    body = candidate
                    transformed = true
                    return nil
                case UInt32(AEROLITH_WRITE_REJECT):
                    let code = StructReader.text(result.reject_code, lengthBytesMax: Int(AEROLITH_CODE_BYTES_MAX)) ?? ""
                    guard code.isEmpty || StructReader.isIdentifier(code, extra: [UInt8(ascii: "_")]) else {
                        return .failed(
                            HookFailure(hook, message: "the reject code is not [a-z][a-z0-9_]* of at most \(AEROLITH_CODE_BYTES_MAX) bytes")
                        )
                    }
                    return .rejected(plugin: hook.instance.name, code: code.isEmpty ? "document_rejected" : code, message: outcome.message)
                default:
                    return .failed(HookFailure(hook, message: "unknown before-write action \(result.action)"))
                }
            }
            if let step { return step }
        }
        return .accepted(transformed: transformed ? body : nil)
    }

    /// Runs the tenant's after-write chain; failures are returned for logging, never change
    /// the write.
    @discardableResult
    public func afterWrite(_ hooks: TenantHooks, tenantID: String, requestID: String, _ input: DocumentWriteInput) -> [HookFailure] {
        guard hooks.hasAfterWrite else { return [] }
        var failures: [HookFailure] = []
        for hook in hooks.afterWrite {
            let outcome = withWrite(input, body: input.body) { write in
                SliceText.with(tenantID) { tenant in
                    SliceText.with(requestID) { request in
                        hook.invoke(tenantID: tenant, requestID: request) { userData, call in
                            unsafeBitCast(hook.function, to: aerolith_after_write_fn.self)(userData, call, write)
                        }
                    }
                }
            }
            if let outcome, !outcome.isOK { failures.append(HookFailure(hook, outcome)) }
        }
        return failures
    }

    private func withWrite<T>(_ input: DocumentWriteInput, body: [UInt8], _ run: (UnsafePointer<aerolith_document_write>) -> T) -> T {
        SliceText.with(input.collection) { collection in
            SliceText.with(input.documentID) { documentID in
                SliceText.with(body) { bodySlice in
                    var write = aerolith_document_write()
                    write.struct_size = UInt32(MemoryLayout<aerolith_document_write>.size)
                    write.operation = input.operation.rawValue
                    write.collection = collection
                    write.document_id = documentID
                    write.body = bodySlice
                    write.previous_version = input.previousVersion
                    write.version = input.version
                    return withUnsafePointer(to: &write) { run($0) }
                }
            }
        }
    }
}
