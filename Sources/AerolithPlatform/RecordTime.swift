import AerolithJSON
import AerolithStorage

extension Timestamp {
    /// A platform record's time field (milliseconds since the epoch), or nil if absent or not one.
    init?(record value: JSONValue?) {
        guard case .number(let number)? = value, let milliseconds = number.int64Value else { return nil }
        self.init(milliseconds: milliseconds)
    }
}
