/// Compiles a `Query` to one SQL statement over a collection's table.
///
/// Field values are read with the same `json_extract` expression that expression indexes are
/// built on, so SQLite uses an index whenever one matches. Type guards (`json_type`) keep
/// comparisons from matching across JSON types. Pagination is keyset-based: the cursor carries
/// the last row's sort values and row id, so a page costs the same however deep it is.
struct SQLiteQueryCompiler {
    private(set) var bindings: [SQLiteValue] = []

    struct Compiled {
        let sql: String
        let bindings: [SQLiteValue]
        /// Identifies the filter and sort (not the page): a cursor is valid only for the query
        /// that produced it.
        let shapeFingerprint: String
        let sortKeyCount: Int
    }

    /// `cursorScope` names the collection in the shape a cursor is bound to (default: the table).
    static func compile(_ query: Query, table: String, cursorScope: String? = nil, after position: CursorPosition?) -> Compiled {
        var compiler = SQLiteQueryCompiler()
        var conditions: [String] = []
        if let filter = query.filter { conditions.append(compiler.sql(for: filter)) }
        let orderSQL = (query.sort.map { "\($0.path.valueSQL) \($0.descending ? "DESC" : "ASC")" } + ["rid ASC"])
            .joined(separator: ", ")
        let shape = "\(cursorScope ?? table)|\(conditions.first ?? "")|\(compiler.bindings)|\(orderSQL)"
        if let position { conditions.append(compiler.keyset(after: position, sort: query.sort)) }
        let sortColumns = query.sort.map { ", \($0.path.valueSQL)" }.joined()
        var sql = "SELECT id, body, version, created_at, updated_at, rid\(sortColumns) FROM \"\(table)\""
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY \(orderSQL) LIMIT ?"
        compiler.bindings.append(.integer(Int64(query.limit + 1)))
        return Compiled(sql: sql, bindings: compiler.bindings, shapeFingerprint: shape, sortKeyCount: query.sort.count)
    }

    private mutating func bind(_ value: SQLiteValue) -> String {
        bindings.append(value)
        return "?"
    }

    private mutating func sql(for filter: Filter) -> String {
        switch filter {
        // An empty AND is true and an empty OR is false, as in logic; `{}` matches everything.
        case .all(let terms): return terms.isEmpty ? "1" : "(" + terms.map { sql(for: $0) }.joined(separator: " AND ") + ")"
        case .any(let terms): return terms.isEmpty ? "0" : "(" + terms.map { sql(for: $0) }.joined(separator: " OR ") + ")"
        case .compare(let path, let comparison): return sql(for: comparison, on: path)
        }
    }

    private static let numberTypes = "('integer','real')"

    private mutating func sql(for comparison: Comparison, on path: FieldPath) -> String {
        let value = path.valueSQL
        let type = path.typeSQL
        switch comparison {
        case .equal(let scalar): return equal(scalar, value: value, type: type)
        case .notEqual(let scalar): return "NOT COALESCE(\(equal(scalar, value: value, type: type)), 0)"
        case .less(let scalar): return ordered("<", scalar, value: value, type: type)
        case .lessOrEqual(let scalar): return ordered("<=", scalar, value: value, type: type)
        case .greater(let scalar): return ordered(">", scalar, value: value, type: type)
        case .greaterOrEqual(let scalar): return ordered(">=", scalar, value: value, type: type)
        case .oneOf(let scalars): return oneOf(scalars, value: value, type: type)
        case .noneOf(let scalars): return "NOT COALESCE(\(oneOf(scalars, value: value, type: type)), 0)"
        case .exists(let flag): return "(\(type) IS \(flag ? "NOT " : "")NULL)"
        case .prefix(let prefix):
            guard !prefix.isEmpty else { return "(\(type) = 'text')" }
            // A range, not LIKE/substr, so an index on the field serves it. Every string that
            // starts with `prefix` sorts below `prefix` + U+10FFFF in SQLite's byte order.
            return "(\(value) >= \(bind(.text(prefix))) AND \(value) < \(bind(.text(prefix + "\u{10FFFF}"))) AND \(type) = 'text')"
        }
    }

    private mutating func equal(_ scalar: FilterScalar, value: String, type: String) -> String {
        switch scalar {
        case .null: return "(\(type) = 'null')"
        case .bool(let flag): return "(\(type) = '\(flag ? "true" : "false")')"
        case .integer(let integer): return "(\(value) = \(bind(.integer(integer))) AND \(type) IN \(Self.numberTypes))"
        case .real(let real): return "(\(value) = \(bind(.real(real))) AND \(type) IN \(Self.numberTypes))"
        case .string(let string): return "(\(value) = \(bind(.text(string))) AND \(type) = 'text')"
        }
    }

    private mutating func ordered(_ op: String, _ scalar: FilterScalar, value: String, type: String) -> String {
        switch scalar {
        case .integer(let integer): return "(\(value) \(op) \(bind(.integer(integer))) AND \(type) IN \(Self.numberTypes))"
        case .real(let real): return "(\(value) \(op) \(bind(.real(real))) AND \(type) IN \(Self.numberTypes))"
        case .string(let string): return "(\(value) \(op) \(bind(.text(string))) AND \(type) = 'text')"
        case .null, .bool: return "0" // FilterParser refuses these; never matches if reached.
        }
    }

    private mutating func oneOf(_ scalars: [FilterScalar], value: String, type: String) -> String {
        var numbers: [SQLiteValue] = []
        var strings: [SQLiteValue] = []
        var typeNames: [String] = []
        for scalar in scalars {
            switch scalar {
            case .null: typeNames.append("'null'")
            case .bool(let flag): typeNames.append(flag ? "'true'" : "'false'")
            case .integer(let integer): numbers.append(.integer(integer))
            case .real(let real): numbers.append(.real(real))
            case .string(let string): strings.append(.text(string))
            }
        }
        var alternatives: [String] = []
        if !numbers.isEmpty {
            let list = numbers.map { bind($0) }.joined(separator: ",")
            alternatives.append("(\(value) IN (\(list)) AND \(type) IN \(Self.numberTypes))")
        }
        if !strings.isEmpty {
            let list = strings.map { bind($0) }.joined(separator: ",")
            alternatives.append("(\(value) IN (\(list)) AND \(type) = 'text')")
        }
        if !typeNames.isEmpty { alternatives.append("(\(type) IN (\(typeNames.joined(separator: ","))))") }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// Rows strictly after `position` in the order (sort keys..., rid ASC). SQLite sorts NULL
    /// first ascending and last descending; the terms below follow that.
    private mutating func keyset(after position: CursorPosition, sort: [SortKey]) -> String {
        let sortValues = position.sortValues ?? []
        precondition(sortValues.count == sort.count, "cursor position not resolved")
        var alternatives: [String] = []
        for index in 0...sort.count {
            var terms: [String] = []
            for prior in 0..<index {
                terms.append("\(sort[prior].path.valueSQL) IS \(bind(sortValues[prior]))")
            }
            if index == sort.count {
                terms.append("rid > \(bind(.integer(position.rowID)))")
            } else {
                let key = sort[index]
                let expression = key.path.valueSQL
                let last = sortValues[index]
                switch (key.descending, last) {
                case (false, .null): terms.append("\(expression) IS NOT NULL")
                case (false, _): terms.append("\(expression) > \(bind(last))")
                case (true, .null): terms.append("0")
                case (true, _): terms.append("(\(expression) < \(bind(last)) OR \(expression) IS NULL)")
                }
            }
            alternatives.append("(" + terms.joined(separator: " AND ") + ")")
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }
}
