/// The route table's path templates, to tell "no such path" (404) from "no such method on this
/// path" (405 with `Allow`).
struct RouteIndex: Sendable {
    private let templates: [(segments: [Substring], method: String)]

    init(_ routes: [RouteDefinition]) {
        templates = routes.map { (segments: $0.path.split(separator: "/"), method: $0.method.rawValue) }
    }

    /// The methods served on `path`, sorted; empty when no route has this path.
    func allowedMethods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        let methods = templates.filter { template in
            template.segments.count == segments.count
                && zip(template.segments, segments).allSatisfy { pattern, segment in pattern.hasPrefix("{") || pattern == segment }
        }.map(\.method)
        return Array(Set(methods)).sorted()
    }
}
