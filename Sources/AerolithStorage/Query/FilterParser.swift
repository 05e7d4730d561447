import AerolithJSON

/// Turns the JSON form of a filter into a `Filter`, enforcing the filter limits in
/// `StorageLimits`. Every mistake is an `invalid_filter` error naming the offending part.
struct FilterParser {
    private var clauses = 0

    static func parse(_ value: JSONValue) throws(StorageError) -> Filter {
        var parser = FilterParser()
        return try parser.parseObject(value, depth: 0)
    }

    private static func invalid(_ message: String) -> StorageError { StorageError(.invalidFilter, message) }

    private mutating func parseObject(_ value: JSONValue, depth: Int) throws(StorageError) -> Filter {
        guard depth <= StorageLimits.filterDepthMax else {
            throw Self.invalid("filter nests $and/$or deeper than \(StorageLimits.filterDepthMax) levels")
        }
        guard case .object(let object) = value else {
            throw Self.invalid("a filter must be an object, not \(value.typeName)")
        }
        var terms: [Filter] = []
        for member in object.members {
            switch member.key {
            case "$and", "$or":
                guard case .array(let branches) = member.value, !branches.isEmpty else {
                    throw Self.invalid("\(member.key) takes a non-empty array of filters")
                }
                var parsed: [Filter] = []
                for branch in branches {
                    // Each branch counts, so `{"$or": [{}, {}, ...]}` cannot grow past the limit.
                    try countClause()
                    parsed.append(try parseObject(branch, depth: depth + 1))
                }
                terms.append(member.key == "$and" ? .all(parsed) : .any(parsed))
            case let key where key.hasPrefix("$") && !["$id", "$version", "$created_at", "$updated_at"].contains(key):
                throw Self.invalid("unknown operator \"\(key.prefix(40))\" at the top of a filter")
            default:
                let path = try FieldPath(member.key)
                terms.append(contentsOf: try parseField(path, member.value))
            }
        }
        return terms.count == 1 ? terms[0] : .all(terms)
    }

    private mutating func countClause() throws(StorageError) {
        clauses += 1
        guard clauses <= StorageLimits.filterClausesMax else {
            throw Self.invalid("filter has more than \(StorageLimits.filterClausesMax) comparisons")
        }
    }

    private mutating func parseField(_ path: FieldPath, _ value: JSONValue) throws(StorageError) -> [Filter] {
        let comparisons = try parseComparisons(path, value)
        if case .metadata(let column) = path.target, column != "id" {
            for case .compare(_, let comparison) in comparisons {
                try Self.requireInteger(comparison, path: path)
            }
        }
        return comparisons
    }

    /// `$version`, `$created_at` and `$updated_at` hold integers (timestamps in milliseconds since
    /// the epoch); comparing them with anything else would silently match nothing.
    private static func requireInteger(_ comparison: Comparison, path: FieldPath) throws(StorageError) {
        let scalars: [FilterScalar]
        switch comparison {
        case .equal(let scalar), .notEqual(let scalar), .less(let scalar), .lessOrEqual(let scalar),
            .greater(let scalar), .greaterOrEqual(let scalar):
            scalars = [scalar]
        case .oneOf(let list), .noneOf(let list): scalars = list
        case .exists: scalars = []
        case .prefix: scalars = [.string("")]
        }
        for scalar in scalars {
            guard case .integer = scalar else {
                throw invalid("\(path) is an integer (timestamps are milliseconds since the epoch); compare it with integers")
            }
        }
    }

    private mutating func parseComparisons(_ path: FieldPath, _ value: JSONValue) throws(StorageError) -> [Filter] {
        guard case .object(let operators) = value else {
            try countClause()
            return [.compare(path, .equal(try Self.scalar(value, for: "$eq", path: path)))]
        }
        guard !operators.isEmpty else { throw Self.invalid("empty operator object for \"\(path)\"") }
        var comparisons: [Filter] = []
        for member in operators.members {
            try countClause()
            let comparison: Comparison
            switch member.key {
            case "$eq": comparison = .equal(try Self.scalar(member.value, for: "$eq", path: path))
            case "$ne": comparison = .notEqual(try Self.scalar(member.value, for: "$ne", path: path))
            case "$lt": comparison = .less(try Self.orderable(member.value, for: "$lt", path: path))
            case "$lte": comparison = .lessOrEqual(try Self.orderable(member.value, for: "$lte", path: path))
            case "$gt": comparison = .greater(try Self.orderable(member.value, for: "$gt", path: path))
            case "$gte": comparison = .greaterOrEqual(try Self.orderable(member.value, for: "$gte", path: path))
            case "$in": comparison = .oneOf(try Self.list(member.value, for: "$in", path: path))
            case "$nin": comparison = .noneOf(try Self.list(member.value, for: "$nin", path: path))
            case "$exists":
                guard case .bool(let flag) = member.value else {
                    throw Self.invalid("$exists on \"\(path)\" takes true or false, not \(member.value.typeName)")
                }
                comparison = .exists(flag)
            case "$prefix":
                guard case .string(let prefix) = member.value else {
                    throw Self.invalid("$prefix on \"\(path)\" takes a string, not \(member.value.typeName)")
                }
                comparison = .prefix(prefix)
            default:
                throw Self.invalid(
                    "unknown operator \"\(member.key.prefix(40))\" on \"\(path)\"; use $eq $ne $lt $lte $gt $gte $in $nin $exists $prefix")
            }
            comparisons.append(.compare(path, comparison))
        }
        return comparisons
    }

    static func scalar(_ value: JSONValue, for op: String, path: FieldPath) throws(StorageError) -> FilterScalar {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .string(let string): return .string(string)
        case .number(let number):
            if let integer = number.int64Value { return .integer(integer) }
            return .real(number.doubleValue)
        case .array, .object:
            throw invalid("\(op) on \"\(path)\" takes a string, number, boolean or null, not \(value.typeName)")
        }
    }

    private static func orderable(_ value: JSONValue, for op: String, path: FieldPath) throws(StorageError) -> FilterScalar {
        let scalar = try scalar(value, for: op, path: path)
        switch scalar {
        case .integer, .real, .string: return scalar
        case .null, .bool: throw invalid("\(op) on \"\(path)\" takes a number or a string, not \(value.typeName)")
        }
    }

    private static func list(_ value: JSONValue, for op: String, path: FieldPath) throws(StorageError) -> [FilterScalar] {
        guard case .array(let elements) = value else {
            throw invalid("\(op) on \"\(path)\" takes an array, not \(value.typeName)")
        }
        guard !elements.isEmpty, elements.count <= StorageLimits.filterInValuesMax else {
            throw invalid("\(op) on \"\(path)\" takes 1 to \(StorageLimits.filterInValuesMax) values")
        }
        var scalars: [FilterScalar] = []
        for element in elements { scalars.append(try scalar(element, for: op, path: path)) }
        return scalars
    }
}
