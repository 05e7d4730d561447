/// Orders one chain the way the header promises: `run_before`/`run_after` constraints first
/// (hard), then lower `priority`, then plugin name, then registration name. A cycle of
/// constraints is broken by ignoring the constraints of the registration loaded last, and
/// reported. An operator's order for the chain, when configured, wins: the hooks it names run
/// first in its order, the others after them in the computed order.
enum HookOrder {
    struct Candidate {
        let plugin: String
        let registration: HookRegistration
        let loadOrder: Int
        var qualifiedName: String { plugin + "/" + registration.name }
    }

    static func order(_ candidates: [Candidate], override: [String]) -> (ordered: [Candidate], warnings: [String]) {
        var ignored = Set<Int>()
        var warnings: [String] = []
        while true {
            if let ordered = attempt(candidates, ignoring: ignored) {
                return (applyOverride(ordered, override), warnings)
            }
            // A cycle: among the hooks left unordered, drop the constraints of the last loaded.
            let remaining = unordered(candidates, ignoring: ignored)
            guard
                let loser = remaining.filter({ !ignored.contains($0) })
                    .max(by: {
                        (candidates[$0].loadOrder, candidates[$0].qualifiedName) < (candidates[$1].loadOrder, candidates[$1].qualifiedName)
                    })
            else {
                return (applyOverride(candidates.sorted(by: precedes), override), warnings)
            }
            ignored.insert(loser)
            warnings.append("ordering constraints of \(candidates[loser].qualifiedName) form a cycle and are ignored")
        }
    }

    private static func precedes(_ a: Candidate, _ b: Candidate) -> Bool {
        (a.registration.priority, a.plugin, a.registration.name) < (b.registration.priority, b.plugin, b.registration.name)
    }

    /// Edges i → j meaning "i runs before j".
    private static func edges(_ candidates: [Candidate], ignoring: Set<Int>) -> [[Int]] {
        var after = Array(repeating: [Int](), count: candidates.count)
        for (i, candidate) in candidates.enumerated() where !ignoring.contains(i) {
            for (j, other) in candidates.enumerated() where other.plugin != candidate.plugin {
                if candidate.registration.runBefore.contains(other.plugin) { after[i].append(j) }
                if candidate.registration.runAfter.contains(other.plugin) { after[j].append(i) }
            }
        }
        return after
    }

    private static func attempt(_ candidates: [Candidate], ignoring: Set<Int>) -> [Candidate]? {
        let after = edges(candidates, ignoring: ignoring)
        var incoming = Array(repeating: 0, count: candidates.count)
        for targets in after { for j in targets { incoming[j] += 1 } }
        var ready = candidates.indices.filter { incoming[$0] == 0 }
        var ordered: [Candidate] = []
        while !ready.isEmpty {
            let pick = ready.indices.min { precedes(candidates[ready[$0]], candidates[ready[$1]]) }!
            let next = ready.remove(at: pick)
            ordered.append(candidates[next])
            for j in after[next] {
                incoming[j] -= 1
                if incoming[j] == 0 { ready.append(j) }
            }
        }
        return ordered.count == candidates.count ? ordered : nil
    }

    /// Indexes not reachable by the topological sort (those on or behind a cycle).
    private static func unordered(_ candidates: [Candidate], ignoring: Set<Int>) -> [Int] {
        let after = edges(candidates, ignoring: ignoring)
        var incoming = Array(repeating: 0, count: candidates.count)
        for targets in after { for j in targets { incoming[j] += 1 } }
        var ready = candidates.indices.filter { incoming[$0] == 0 }
        var done = Set<Int>()
        while let next = ready.popLast() {
            done.insert(next)
            for j in after[next] {
                incoming[j] -= 1
                if incoming[j] == 0 { ready.append(j) }
            }
        }
        return candidates.indices.filter { !done.contains($0) }
    }

    private static func applyOverride(_ ordered: [Candidate], _ override: [String]) -> [Candidate] {
        guard !override.isEmpty else { return ordered }
        let named = override.compactMap { name in ordered.first { $0.qualifiedName == name } }
        return named + ordered.filter { !override.contains($0.qualifiedName) }
    }
}
