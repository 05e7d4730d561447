import AerolithJSON

/// Which credential a client command presents, and why that one won.
///
/// The precedence is fixed: `--key`, then `AEROLITH_KEY`, then the login stored by
/// `aerolith auth login`. Because a forgotten `AEROLITH_KEY` silently shadows a login, every
/// refusal caused by a credential names the credential used, and `auth whoami` prints it.
enum CredentialSource: Equatable {
    case keyFlag(environmentAlsoSet: Bool, storedLogin: String?)
    case keyEnvironment(storedLogin: String?)
    case storedLogin(path: String)

    static let environmentVariable = "AEROLITH_KEY"

    /// What was used, for a person.
    var summary: String {
        switch self {
        case .keyFlag: "the API key given with --key"
        case .keyEnvironment: "the API key in \(Self.environmentVariable) (environment variable)"
        case .storedLogin(let path): "the stored login at \(path)"
        }
    }

    /// Why it won over the others present.
    var reason: String {
        switch self {
        case .keyFlag(let environment, let stored):
            var overridden: [String] = []
            if environment { overridden.append(Self.environmentVariable) }
            if let stored { overridden.append("the stored login at \(stored)") }
            return overridden.isEmpty ? "no other credential is set" : "--key comes before " + overridden.joined(separator: " and ")
        case .keyEnvironment(let stored?):
            return
                "\(Self.environmentVariable) comes before the stored login at \(stored); unset \(Self.environmentVariable) to use the login"
        case .keyEnvironment(nil):
            return "no --key was given and nobody is signed in"
        case .storedLogin:
            return "no --key was given and \(Self.environmentVariable) is not set"
        }
    }

    /// True when the credential is an API key rather than a signed-in user.
    var isKey: Bool {
        if case .storedLogin = self { return false }
        return true
    }

    /// Appended to a refusal the credential caused (401, 403).
    var hint: String { "the request used \(summary): \(reason)" }

    var json: JSONValue {
        let source =
            switch self {
            case .keyFlag: "flag"
            case .keyEnvironment: "environment"
            case .storedLogin: "stored_login"
            }
        var object = JSONObject(members: [
            .init(key: "source", value: .string(source)), .init(key: "description", value: .string(summary)),
            .init(key: "reason", value: .string(reason)),
        ])
        if case .storedLogin(let path) = self { object.set("path", .string(path)) }
        if case .keyEnvironment = self { object.set("variable", .string(Self.environmentVariable)) }
        return .object(object)
    }
}
