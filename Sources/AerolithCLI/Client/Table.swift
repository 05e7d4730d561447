import AerolithJSON

/// Renders rows as a plain text table with a header line, columns padded to fit.
enum Table {
    static func render(_ headers: [String], _ rows: [[String]]) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padded(to: widths[index])
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    /// A field of an object as display text.
    static func text(_ value: JSONValue?, _ key: String) -> String {
        switch value?.objectValue?[key] {
        case .string(let text)?: text
        case .number(let number)?: number.text
        case .bool(let flag)?: flag ? "true" : "false"
        case nil, .null?: "-"
        case let other?: JSONWriter.string(other)
        }
    }

    /// The array under `key` of a response object.
    static func items(_ value: JSONValue, _ key: String) -> [JSONValue] {
        if case .array(let items)? = value.objectValue?[key] { return items }
        return []
    }
}

extension String {
    fileprivate func padded(to length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
