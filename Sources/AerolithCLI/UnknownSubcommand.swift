import ArgumentParser

/// A word where a subcommand was expected that names none: `aerolith colection list`.
struct UnknownSubcommand {
    let word: String
    let path: [String]
    let suggestion: String?

    /// Distances up to this many edits are offered as "did you mean".
    static let suggestionEditsMax = 2

    var error: CLIError {
        let command = path.joined(separator: " ")
        let hint = suggestion.map { "did you mean \"\(command) \($0)\"? " } ?? ""
        return CLIError(.unknownSubcommand, "\"\(word)\" is not a subcommand of \(command); \(hint)\(command) --help lists them")
    }

    /// Walks the leading words of `arguments` down the command tree; stops at the first option
    /// or at a command that takes arguments of its own.
    static func find(in arguments: [String], root: any ParsableCommand.Type) -> UnknownSubcommand? {
        var command = root
        var path = [root._commandName]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            let names = subcommands.map { [$0._commandName] + $0.configuration.aliases }
            guard let index = names.firstIndex(where: { $0.contains(word) }) else {
                let candidates = names.compactMap(\.first)
                let nearest = candidates.map { ($0, editDistance($0, word)) }.min { $0.1 < $1.1 }
                let prefixed = candidates.first { $0.hasPrefix(word) || word.hasPrefix($0) }
                let suggestion = nearest.flatMap { $0.1 <= suggestionEditsMax ? $0.0 : nil } ?? prefixed
                return UnknownSubcommand(word: word, path: path, suggestion: suggestion)
            }
            command = subcommands[index]
            path.append(names[index][0])
        }
        return nil
    }

    /// Levenshtein distance, for short command names.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
