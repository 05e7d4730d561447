/// A scalar a filter compares against.
public enum FilterScalar: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case real(Double)
    case string(String)
}

/// One comparison on one field. Comparisons never match across types: `{"$gt": 5}` matches
/// numbers greater than 5, never strings; `{"$eq": true}` matches `true`, never `1`.
public enum Comparison: Sendable, Hashable {
    case equal(FilterScalar)
    case notEqual(FilterScalar)
    case less(FilterScalar)
    case lessOrEqual(FilterScalar)
    case greater(FilterScalar)
    case greaterOrEqual(FilterScalar)
    case oneOf([FilterScalar])
    case noneOf([FilterScalar])
    case exists(Bool)
    case prefix(String)
}

/// A parsed filter. The JSON form:
///
///     {"status": "active", "age": {"$gte": 18, "$lt": 65},
///      "$or": [{"tags": {"$in": ["a", "b"]}}, {"owner.name": {"$prefix": "Al"}}]}
///
/// Keys of one object are ANDed. A bare scalar means `$eq`. Missing fields match only `$ne`,
/// `$nin` and `$exists: false`.
public indirect enum Filter: Sendable, Hashable {
    case all([Filter])
    case any([Filter])
    case compare(FieldPath, Comparison)
}
