/// The PostgreSQL expressions for one field path, built so that comparisons and sorts give
/// exactly what SQLite's `json_extract` gives the SQLite store.
///
/// SQLite's `json_extract` yields NULL for a missing field and for JSON `null`, an integer for
/// `true`/`false` (1/0), a number for a number, and TEXT for a string (its value) and for an
/// object or array (its JSON text as stored). SQLite orders NULL < numbers < text, text by bytes.
/// A body field is therefore compared and sorted as three columns:
///
/// - `rank`: 0 for missing or `null`, 1 for numbers and booleans, 2 for strings, objects, arrays;
/// - `number`: the numeric value for rank 1 (booleans as 0 and 1), NULL otherwise;
/// - `text`: for rank 2 the string's value, or the object's or array's JSON text taken from the
///   stored text (`body_text`, so key order and spelling are the document's), in byte order
///   (`COLLATE "C"`); NULL otherwise.
///
/// Within each rank the other two columns are NULL, so `(rank, number, text)` in ascending order is
/// SQLite's order. Indexes are built over these very expressions, byte for byte, and filters
/// constrain `rank` and the unused column (`IS NULL`) so an index on the field serves them.
/// Segments are letters, digits, `_` and `-` only (`FieldPath`), so they appear literally.
struct PostgresField: Sendable {
    let path: FieldPath

    init(_ path: FieldPath) { self.path = path }

    /// The metadata column, for `$id`, `$version`, `$created_at`, `$updated_at`.
    var column: String? {
        if case .metadata(let column) = path.target { return column }
        return nil
    }

    private var segments: [String] {
        if case .body(let segments) = path.target { return segments }
        return []
    }

    /// The field as jsonb (SQL NULL when missing). `->` with a text key never indexes an array,
    /// as SQLite's `$."0"` never does.
    var value: String { "(body" + segments.map { " -> '\($0)'" }.joined() + ")" }

    /// jsonb_typeof of the field: 'object', 'array', 'string', 'number', 'boolean', 'null', or NULL.
    var type: String { "jsonb_typeof\(value)" }

    var rank: String {
        "(CASE jsonb_typeof\(value) WHEN 'number' THEN 1 WHEN 'boolean' THEN 1 WHEN 'string' THEN 2 WHEN 'object' THEN 2 WHEN 'array' THEN 2 ELSE 0 END)"
    }

    var number: String {
        "(CASE jsonb_typeof\(value) WHEN 'number' THEN \(value)::numeric WHEN 'boolean' THEN (CASE WHEN \(value)::boolean THEN 1 ELSE 0 END)::numeric END)"
    }

    var text: String {
        let stored = "((body_text::json)" + segments.map { " -> '\($0)'" }.joined() + ")::text"
        return
            "((CASE jsonb_typeof\(value) WHEN 'string' THEN \(value) #>> '{}' WHEN 'object' THEN \(stored) WHEN 'array' THEN \(stored) END) COLLATE \"C\")"
    }

    /// The columns this field sorts by, in order: the metadata column, or rank, number, text.
    var sortColumns: [String] {
        // `id` is declared `COLLATE "C"`: it sorts by bytes, as in SQLite.
        if let column { return [column] }
        return [rank, number, text]
    }

    /// The expressions an index on this field covers: the sort columns.
    var indexColumns: [String] { sortColumns.map { "(\($0))" } }
}
