/// A parsed exported-function signature, e.g. `"i64(i64,f64)"` (grammar in the header).
public struct FunctionSignature: Sendable, Equatable {
    public enum ValueType: String, Sendable, CaseIterable {
        case i32, i64, u32, u64, f32, f64, bool, void
    }

    public let returnType: ValueType
    public let argumentTypes: [ValueType]

    public static let argumentsCountMax = 8
    /// Longest signature text accepted, in bytes.
    public static let textLengthBytesMax = 256

    public init?(_ text: String) {
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")"),
            let returnType = ValueType(rawValue: String(text[..<open]))
        else { return nil }
        let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
        var arguments: [ValueType] = []
        if !inner.isEmpty {
            for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
                guard let type = ValueType(rawValue: String(part)), type != .void else { return nil }
                arguments.append(type)
            }
        }
        guard arguments.count <= Self.argumentsCountMax else { return nil }
        self.returnType = returnType
        self.argumentTypes = arguments
    }
}
