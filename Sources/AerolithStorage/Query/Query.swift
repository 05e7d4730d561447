import AerolithJSON

/// One sort key: a field path and a direction. Values of different types sort in SQLite's type
/// order: missing/null, then numbers (booleans count as 0 and 1), then strings, then nested
/// objects and arrays (as their JSON text).
public struct SortKey: Sendable, Hashable {
    public let path: FieldPath
    public let descending: Bool

    public init(path: FieldPath, descending: Bool = false) {
        self.path = path
        self.descending = descending
    }
}

/// A query over one collection: filter, sort, page size and the cursor of the page to read.
/// Results are always ordered; ties (and queries without sort) fall back to insertion order.
public struct Query: Sendable, Hashable {
    public var filter: Filter?
    public var sort: [SortKey]
    public var limit: Int
    public var cursor: String?

    public init(filter: Filter? = nil, sort: [SortKey] = [], limit: Int = StorageLimits.queryLimitDefault, cursor: String? = nil) {
        self.filter = filter
        self.sort = sort
        self.limit = limit
        self.cursor = cursor
    }

    /// Parses the JSON form `{"filter": {...}, "sort": ["-age", "name"], "limit": 50,
    /// "cursor": "..."}`. Sort keys are paths, descending with a leading `-`, or objects
    /// `{"path": "age", "order": "desc"}`.
    public static func parse(_ value: JSONValue) throws(StorageError) -> Query {
        guard case .object(let object) = value else {
            throw StorageError(.invalidQuery, "a query must be a JSON object, not \(value.typeName)")
        }
        var query = Query()
        for member in object.members {
            switch member.key {
            case "filter":
                if case .null = member.value { continue }
                query.filter = try FilterParser.parse(member.value)
            case "sort":
                query.sort = try parseSort(member.value)
            case "limit":
                if case .null = member.value { continue }
                guard case .number(let number) = member.value, let limit = number.int64Value,
                    limit >= 1, limit <= StorageLimits.queryLimitMax
                else {
                    throw StorageError(.invalidLimit, "limit must be an integer from 1 to \(StorageLimits.queryLimitMax)")
                }
                query.limit = Int(limit)
            case "cursor":
                switch member.value {
                case .null: continue
                case .string(let cursor): query.cursor = cursor
                default: throw StorageError(.invalidCursor, "cursor must be a string from next_cursor")
                }
            default:
                throw StorageError(.invalidQuery, "unknown query field \"\(member.key.prefix(40))\"; use filter, sort, limit, cursor")
            }
        }
        return query
    }

    private static func parseSort(_ value: JSONValue) throws(StorageError) -> [SortKey] {
        let elements: [JSONValue]
        switch value {
        case .null: return []
        case .string: elements = [value]
        case .array(let array): elements = array
        default: throw StorageError(.invalidSort, "sort must be an array of paths")
        }
        guard elements.count <= StorageLimits.sortKeysMax else {
            throw StorageError(.invalidSort, "at most \(StorageLimits.sortKeysMax) sort keys")
        }
        var keys: [SortKey] = []
        for element in elements {
            switch element {
            case .string(let text):
                let descending = text.hasPrefix("-")
                let path = descending ? String(text.dropFirst()) : text
                keys.append(SortKey(path: try sortPath(path), descending: descending))
            case .object(let object):
                guard case .string(let path)? = object["path"] else {
                    throw StorageError(.invalidSort, "a sort object needs a \"path\" string")
                }
                let order = object["order"]?.stringValue ?? "asc"
                guard order == "asc" || order == "desc", object.members.allSatisfy({ ["path", "order"].contains($0.key) }) else {
                    throw StorageError(.invalidSort, "a sort object is {\"path\": ..., \"order\": \"asc\" | \"desc\"}")
                }
                keys.append(SortKey(path: try sortPath(path), descending: order == "desc"))
            default:
                throw StorageError(.invalidSort, "sort keys are strings or {\"path\", \"order\"} objects, not \(element.typeName)")
            }
        }
        return keys
    }

    private static func sortPath(_ text: String) throws(StorageError) -> FieldPath {
        do throws(StorageError) {
            return try FieldPath(text)
        } catch {
            throw StorageError(.invalidSort, error.message)
        }
    }
}

/// One page of query results.
public struct QueryPage: Sendable {
    public let documents: [Document]
    /// Pass as `cursor` to read the next page; `nil` on the last page.
    public let nextCursor: String?
}
