import Testing

@testable import AerolithKernel

/// Chain order: constraints, then priority, then plugin and hook names; cycles broken against
/// the plugin loaded last; the operator's order wins.
@Suite struct HookOrderTests {
    func candidate(
        _ plugin: String, _ name: String = "hook", priority: Int32 = 0, before: [String] = [], after: [String] = [],
        loaded: Int = 0
    ) -> HookOrder.Candidate {
        HookOrder.Candidate(
            plugin: plugin,
            registration: HookRegistration(
                kind: .authorize, name: name, priority: priority, allTenants: false, runBefore: before, runAfter: after, eventMask: 0,
                eventPayloadVersion: 0, routePrefix: "", routePermission: nil, function: 1, userData: 0), loadOrder: loaded)
    }

    func names(_ candidates: [HookOrder.Candidate], override: [String] = []) -> [String] {
        HookOrder.order(candidates, override: override).ordered.map(\.qualifiedName)
    }

    @Test func priorityThenPluginThenHookName() {
        let chain = [
            candidate("zeta"), candidate("alpha", "b"), candidate("alpha", "a"), candidate("late", priority: 10),
            candidate("early", priority: -5),
        ]
        #expect(names(chain) == ["early/hook", "alpha/a", "alpha/b", "zeta/hook", "late/hook"])
    }

    @Test func constraintsOutrankPriority() {
        // audit insists on running after billing although its priority would put it first.
        let chain = [
            candidate("audit", priority: -100, after: ["billing"]), candidate("billing", priority: 50),
            candidate("sso", before: ["billing"]),
        ]
        #expect(names(chain) == ["sso/hook", "billing/hook", "audit/hook"])
        // Constraints naming plugins that are not loaded are ignored.
        #expect(names([candidate("a", before: ["missing"]), candidate("b", priority: -1)]) == ["b/hook", "a/hook"])
    }

    @Test func aCycleIsBrokenAgainstTheLastLoadedAndReported() {
        let chain = [candidate("first", before: ["second"], loaded: 1), candidate("second", before: ["first"], loaded: 2)]
        let result = HookOrder.order(chain, override: [])
        #expect(result.ordered.map(\.qualifiedName) == ["first/hook", "second/hook"])
        #expect(result.warnings == ["ordering constraints of second/hook form a cycle and are ignored"])
    }

    @Test func theOperatorsOrderWins() {
        let chain = [candidate("a", priority: -1), candidate("b"), candidate("c", before: ["a"])]
        // c must precede a; among the hooks free to run first, b and c tie on priority: names decide.
        #expect(names(chain) == ["b/hook", "c/hook", "a/hook"])
        #expect(names(chain, override: ["b/hook", "a/hook", "unknown/hook"]) == ["b/hook", "a/hook", "c/hook"])
    }
}
