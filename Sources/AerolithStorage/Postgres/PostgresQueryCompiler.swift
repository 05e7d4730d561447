/// Compiles a `Query` to one PostgreSQL statement over a collection's table, with the SQLite
/// store's semantics (see `PostgresField` for how values compare and sort).
///
/// Pagination is keyset-based, as on SQLite: the cursor carries the last row's sort values and
/// row id, in the same `CursorCodec` format. Numbers travel as integers or as doubles when the
/// double spells the stored number exactly; any other number makes the cursor carry the row id
/// only, and the values are read back from that row (exactly, as the server spells them).
struct PostgresQueryCompiler {
    private var statement = PostgresStatement()

    struct Compiled: Sendable {
        let statement: PostgresStatement
        /// Identifies the filter and sort (not the page): a cursor is valid only for its query.
        let shapeFingerprint: String
        let sortKeyCount: Int
    }

    /// The select list after `rid, id, body_text, version, created_at, updated_at`: per sort key,
    /// a metadata column, or rank, number as text and text.
    static func sortSelect(_ sort: [SortKey]) -> String {
        sort.map { key in
            let field = PostgresField(key.path)
            if let column = field.column { return column == "id" ? "id" : "\(column)::text" }
            return "\(field.rank)::text, \(field.number)::text, \(field.text)"
        }.joined(separator: ", ")
    }

    static func orderSQL(_ sort: [SortKey]) -> String {
        let keys = sort.flatMap { key in
            PostgresField(key.path).sortColumns.map { "\($0) \(key.descending ? "DESC" : "ASC")" }
        }
        return (keys + ["rid ASC"]).joined(separator: ", ")
    }

    static func compile(_ query: Query, table: String, cursorScope: String, after position: Position?) -> Compiled {
        var compiler = PostgresQueryCompiler()
        var conditions: [String] = []
        if let filter = query.filter { conditions.append(compiler.sql(for: filter)) }
        let orderSQL = Self.orderSQL(query.sort)
        let shape = "\(cursorScope)|\(conditions.first ?? "")|\(compiler.statement.boundTexts)|\(orderSQL)"
        if let position { conditions.append(compiler.keyset(after: position, sort: query.sort)) }
        let sortColumns = query.sort.isEmpty ? "" : ", " + Self.sortSelect(query.sort)
        var sql = "SELECT rid, id, body_text, version, created_at, updated_at\(sortColumns) FROM \"\(table)\""
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY \(orderSQL) LIMIT \(compiler.statement.bind(Int64(query.limit + 1)))"
        compiler.statement.sql = sql
        return Compiled(statement: compiler.statement, shapeFingerprint: shape, sortKeyCount: query.sort.count)
    }

    // MARK: Filters

    private mutating func sql(for filter: Filter) -> String {
        switch filter {
        // An empty AND is true and an empty OR is false; `{}` matches everything.
        case .all(let terms): return terms.isEmpty ? "TRUE" : "(" + terms.map { sql(for: $0) }.joined(separator: " AND ") + ")"
        case .any(let terms): return terms.isEmpty ? "FALSE" : "(" + terms.map { sql(for: $0) }.joined(separator: " OR ") + ")"
        case .compare(let path, let comparison):
            let field = PostgresField(path)
            if let column = field.column { return metadata(comparison, column: column) }
            return sql(for: comparison, on: field)
        }
    }

    private mutating func sql(for comparison: Comparison, on field: PostgresField) -> String {
        switch comparison {
        case .equal(let scalar): return equal(scalar, field)
        case .notEqual(let scalar): return "NOT COALESCE(\(equal(scalar, field)), FALSE)"
        case .less(let scalar): return ordered("<", scalar, field)
        case .lessOrEqual(let scalar): return ordered("<=", scalar, field)
        case .greater(let scalar): return ordered(">", scalar, field)
        case .greaterOrEqual(let scalar): return ordered(">=", scalar, field)
        case .oneOf(let scalars): return oneOf(scalars, field)
        case .noneOf(let scalars): return "NOT COALESCE(\(oneOf(scalars, field)), FALSE)"
        case .exists(let flag): return "(\(field.value) IS \(flag ? "NOT " : "")NULL)"
        case .prefix(let prefix):
            guard !prefix.isEmpty else { return "(\(field.type) = 'string')" }
            // A range, as on SQLite, so an index on the field serves it.
            let low = statement.bind(prefix)
            let high = statement.bind(prefix + "\u{10FFFF}")
            return
                "(\(field.rank) = 2 AND \(field.number) IS NULL AND \(field.text) >= \(low) AND \(field.text) < \(high) AND \(field.type) = 'string')"
        }
    }

    private static func numberText(_ scalar: FilterScalar) -> String? {
        switch scalar {
        case .integer(let integer): String(integer)
        case .real(let real): "\(real)"
        default: nil
        }
    }

    private mutating func equal(_ scalar: FilterScalar, _ field: PostgresField) -> String {
        switch scalar {
        case .null: return "(\(field.rank) = 0 AND \(field.type) = 'null')"
        case .bool(let flag):
            return "(\(field.rank) = 1 AND \(field.number) = \(flag ? 1 : 0) AND \(field.text) IS NULL AND \(field.type) = 'boolean')"
        case .integer, .real:
            let number = statement.bind(Self.numberText(scalar)!, as: "numeric")
            return "(\(field.rank) = 1 AND \(field.number) = \(number) AND \(field.text) IS NULL AND \(field.type) = 'number')"
        case .string(let string):
            let text = statement.bind(string)
            return "(\(field.rank) = 2 AND \(field.number) IS NULL AND \(field.text) = \(text) AND \(field.type) = 'string')"
        }
    }

    private mutating func ordered(_ op: String, _ scalar: FilterScalar, _ field: PostgresField) -> String {
        switch scalar {
        case .integer, .real:
            let number = statement.bind(Self.numberText(scalar)!, as: "numeric")
            return "(\(field.rank) = 1 AND \(field.number) \(op) \(number) AND \(field.type) = 'number')"
        case .string(let string):
            let text = statement.bind(string)
            return "(\(field.rank) = 2 AND \(field.number) IS NULL AND \(field.text) \(op) \(text) AND \(field.type) = 'string')"
        case .null, .bool: return "FALSE" // FilterParser refuses these; never matches if reached.
        }
    }

    private mutating func oneOf(_ scalars: [FilterScalar], _ field: PostgresField) -> String {
        var numbers: [String] = []
        var strings: [String] = []
        var alternatives: [String] = []
        for scalar in scalars {
            switch scalar {
            case .null: alternatives.append("(\(field.type) = 'null')")
            case .bool(let flag): alternatives.append("(\(field.type) = 'boolean' AND \(field.value) = '\(flag)'::jsonb)")
            case .integer, .real: numbers.append(statement.bind(Self.numberText(scalar)!, as: "numeric"))
            case .string(let string): strings.append(statement.bind(string))
            }
        }
        if !numbers.isEmpty {
            alternatives.insert(
                "(\(field.rank) = 1 AND \(field.number) IN (\(numbers.joined(separator: ","))) AND \(field.text) IS NULL AND \(field.type) = 'number')",
                at: 0)
        }
        if !strings.isEmpty {
            alternatives.insert(
                "(\(field.rank) = 2 AND \(field.number) IS NULL AND \(field.text) IN (\(strings.joined(separator: ","))) AND \(field.type) = 'string')",
                at: numbers.isEmpty ? 0 : 1)
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// A metadata column has one type: `id` is a string, the others integers.
    private mutating func metadata(_ comparison: Comparison, column: String) -> String {
        let isText = column == "id"
        func operand(_ scalar: FilterScalar) -> String? {
            switch scalar {
            case .string(let string) where isText: return statement.bind(string)
            case .integer where !isText, .real where !isText: return statement.bind(Self.numberText(scalar)!, as: "numeric")
            default: return nil
            }
        }
        func compare(_ op: String, _ scalar: FilterScalar) -> String {
            operand(scalar).map { "(\(column) \(op) \($0))" } ?? "FALSE"
        }
        switch comparison {
        case .equal(let scalar): return compare("=", scalar)
        case .notEqual(let scalar): return "NOT \(compare("=", scalar))"
        case .less(let scalar): return compare("<", scalar)
        case .lessOrEqual(let scalar): return compare("<=", scalar)
        case .greater(let scalar): return compare(">", scalar)
        case .greaterOrEqual(let scalar): return compare(">=", scalar)
        case .oneOf(let scalars):
            let operands = scalars.compactMap { operand($0) }
            return operands.isEmpty ? "FALSE" : "(\(column) IN (\(operands.joined(separator: ","))))"
        case .noneOf(let scalars):
            let operands = scalars.compactMap { operand($0) }
            return operands.isEmpty ? "TRUE" : "(\(column) NOT IN (\(operands.joined(separator: ","))))"
        case .exists(let flag): return flag ? "TRUE" : "FALSE"
        case .prefix(let prefix):
            guard isText else { return "FALSE" }
            guard !prefix.isEmpty else { return "TRUE" }
            return "(id >= \(statement.bind(prefix)) AND id < \(statement.bind(prefix + "\u{10FFFF}")))"
        }
    }

    // MARK: Keyset

    /// One sort value of a row, exact: a number keeps the server's spelling.
    enum SortValue: Sendable, Equatable {
        case null
        case number(String)
        case text(String)
    }

    /// A page position: the last row's sort values and row id.
    struct Position: Sendable {
        let sortValues: [SortValue]
        let rowID: Int64
    }

    /// Rows strictly after `position` in the order (sort keys..., rid ASC).
    private mutating func keyset(after position: Position, sort: [SortKey]) -> String {
        let sortValues = position.sortValues
        precondition(sortValues.count == sort.count, "cursor position not resolved")
        var alternatives: [String] = []
        for index in 0...sort.count {
            var terms: [String] = []
            for prior in 0..<index { terms.append(equal(sortValues[prior], PostgresField(sort[prior].path))) }
            if index == sort.count {
                terms.append("rid > \(statement.bind(position.rowID))")
            } else {
                terms.append(after(sortValues[index], PostgresField(sort[index].path), descending: sort[index].descending))
            }
            alternatives.append("(" + terms.joined(separator: " AND ") + ")")
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// The rank and the bound operand of a sort value.
    private mutating func operand(_ value: SortValue) -> (rank: Int, operand: String) {
        switch value {
        case .null: (0, "NULL")
        case .number(let number): (1, statement.bind(number, as: "numeric"))
        case .text(let text): (2, statement.bind(text))
        }
    }

    private mutating func equal(_ value: SortValue, _ field: PostgresField) -> String {
        let (rank, operand) = operand(value)
        if let column = field.column { return "\(column) = \(operand)" }
        switch rank {
        case 0: return "\(field.rank) = 0"
        case 1: return "(\(field.rank) = 1 AND \(field.number) = \(operand))"
        default: return "(\(field.rank) = 2 AND \(field.text) = \(operand))"
        }
    }

    private mutating func after(_ value: SortValue, _ field: PostgresField, descending: Bool) -> String {
        let (rank, operand) = operand(value)
        let op = descending ? "<" : ">"
        if let column = field.column { return "\(column) \(op) \(operand)" }
        let beyond = "\(field.rank) \(op) \(rank)"
        switch rank {
        case 0: return descending ? "FALSE" : beyond
        case 1: return "((\(field.rank) = 1 AND \(field.number) \(op) \(operand)) OR \(beyond))"
        default:
            return descending
                ? "((\(field.rank) = 2 AND \(field.text) < \(operand)) OR \(beyond))" : "(\(field.rank) = 2 AND \(field.text) > \(operand))"
        }
    }

    // MARK: Sort values and cursors

    /// The sort values of a row's sort columns, as selected by `sortSelect`.
    static func sortValues(_ cells: [String?], sort: [SortKey]) -> [SortValue] {
        var values: [SortValue] = []
        var index = 0
        for key in sort {
            let field = PostgresField(key.path)
            if let column = field.column {
                let cell = cells[index] ?? ""
                values.append(column == "id" ? .text(cell) : .number(cell))
                index += 1
                continue
            }
            switch cells[index].flatMap({ Int($0) }) ?? 0 {
            case 0: values.append(.null)
            case 1: values.append(.number(cells[index + 1] ?? "0"))
            default: values.append(.text(cells[index + 2] ?? ""))
            }
            index += 3
        }
        return values
    }

    /// The values in the cursor format, or nil when a number cannot travel exactly (the cursor
    /// then carries the row id only, and the values are read back from the row).
    static func cursorValues(_ values: [SortValue]) -> [SQLiteValue]? {
        var result: [SQLiteValue] = []
        for value in values {
            switch value {
            case .null: result.append(.null)
            case .text(let text): result.append(.text(text))
            case .number(let number):
                guard let exact = exactNumber(number) else { return nil }
                result.append(exact)
            }
        }
        return result
    }

    static func sortValues(fromCursor values: [SQLiteValue]) -> [SortValue] {
        values.map { value in
            switch value {
            case .null: .null
            case .integer(let integer): .number(String(integer))
            case .real(let real): .number("\(real)")
            case .text(let text): .text(text)
            }
        }
    }

    /// An integer, or a double whose shortest spelling is the number's (`1.50` is 1.5), else nil.
    static func exactNumber(_ text: String) -> SQLiteValue? {
        if let integer = Int64(text) { return .integer(integer) }
        guard let real = Double(text), real.isFinite else { return nil }
        var trimmed = Substring(text)
        if trimmed.contains(".") {
            while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
            if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        }
        var spelled = "\(real)"
        if spelled.hasSuffix(".0") { spelled.removeLast(2) }
        return spelled == trimmed ? .real(real) : nil
    }
}
