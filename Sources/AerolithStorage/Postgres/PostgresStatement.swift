import AerolithJSON
import PostgresNIO

/// SQL text with its positional parameters, built up piece by piece: `bind` appends a value and
/// returns its placeholder (`$1`, `$2`, …). Values are sent as text and cast in the SQL, so the
/// server parses numbers exactly as written (no float rounding on the way).
struct PostgresStatement: Sendable {
    var sql: String
    private(set) var bindings = PostgresBindings()
    /// The bound values as text, for fingerprints.
    private(set) var boundTexts: [String] = []

    init(_ sql: String = "") { self.sql = sql }

    mutating func bind(_ value: String, as type: String = "text") -> String {
        bindings.append(value)
        boundTexts.append(value)
        return "$\(bindings.count)::\(type)"
    }

    mutating func bind(_ value: Int64) -> String {
        bindings.append(value)
        boundTexts.append(String(value))
        return "$\(bindings.count)::bigint"
    }

    mutating func bind(bytes: [UInt8]) -> String {
        bindings.append(ByteBuffer(bytes: bytes))
        boundTexts.append(Hex.string(bytes))
        return "$\(bindings.count)::bytea"
    }

    /// Binds a `text[]` (for `unnest` over a page of rows).
    mutating func bind(texts: [String]) -> String {
        bindings.append(texts)
        boundTexts.append(texts.joined(separator: ","))
        return "$\(bindings.count)::text[]"
    }

    /// Binds a `bigint[]` (for `unnest` over a page of rows).
    mutating func bind(integers: [Int64]) -> String {
        bindings.append(integers)
        boundTexts.append(integers.map(String.init).joined(separator: ","))
        return "$\(bindings.count)::bigint[]"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}
