/// What `replace` may do when the document is missing or present.
public enum ReplaceMode: Sendable {
    /// Create the document if it does not exist (PUT).
    case upsert
    /// Create only; fail with `document_exists` if it exists (PUT with `If-None-Match: *`).
    case createOnly
    /// Replace only; fail with `version_conflict` if it does not exist (PUT with `If-Match: *`).
    case replaceOnly
}
