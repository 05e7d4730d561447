/// Why a migration stopped or did not verify; `code` is stable and machine-readable.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// The target already holds data that is not an earlier, interrupted copy of this source
        /// (other collections, other documents, other values): nothing was written.
        case targetConflict = "migration_target_conflict"
        /// After the copy, some collection or namespace differs between source and target.
        case verificationFailed = "migration_verification_failed"
        /// An index did not become ready on the target.
        case indexNotReady = "migration_index_not_ready"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
