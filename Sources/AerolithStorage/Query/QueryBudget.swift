/// How much one query may spend before it is stopped and answered with `query_timeout`: time,
/// and rows examined. Every query (each page of a cursor on its own) runs under one.
public struct QueryBudget: Sendable, Equatable {
    /// Longest a query may run, in milliseconds.
    public var timeLimitMilliseconds: Int
    /// Most rows a query may examine: rows read by full scans of its collection (a sort without an
    /// index that serves it reads them all) and rows put into an automatic index. Rows reached
    /// through an index are bounded by the time limit instead.
    public var rowsExaminedMax: Int

    public init(
        timeLimitMilliseconds: Int = StorageLimits.queryTimeLimitMillisecondsDefault,
        rowsExaminedMax: Int = StorageLimits.queryRowsExaminedMaxDefault
    ) {
        precondition(timeLimitMilliseconds >= 1 && rowsExaminedMax >= 1)
        self.timeLimitMilliseconds = timeLimitMilliseconds
        self.rowsExaminedMax = rowsExaminedMax
    }

    public static let standard = QueryBudget()

    /// Which part of the budget a stopped query ran out of.
    enum Exhausted: Sendable { case time, rowsExamined }

    func message(_ exhausted: Exhausted) -> String {
        let what =
            switch exhausted {
            case .time: "ran past its time limit of \(timeLimitMilliseconds) ms"
            case .rowsExamined: "examined more than \(rowsExaminedMax) rows"
            }
        return "the query \(what) and was stopped; narrow the filter, add an index that serves it, or ask for a smaller page"
    }
}
