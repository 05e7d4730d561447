import AerolithJSON
import ArgumentParser
import Foundation

/// Options every client command shares.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL (env AEROLITH_URL; default \(APIClient.defaultURL)).")
    var url: String?

    @Option(
        help:
            "API key: the platform admin key for admin commands, a tenant key otherwise (env AEROLITH_KEY). --key comes before AEROLITH_KEY, which comes before the login of aerolith auth login; aerolith auth whoami says which one is used."
    )
    var key: String?

    @Flag(help: "Print the server's JSON instead of a table.")
    var json = false

    func client() throws -> APIClient {
        try client(allowKey: true)
    }

    /// The stored session's client, ignoring any key (`auth logout` ends that session).
    func sessionClient() throws -> APIClient {
        try client(allowKey: false)
    }

    private func client(allowKey: Bool) throws -> APIClient {
        let environment = ProcessInfo.processInfo.environment
        let environmentKey = environment[CredentialSource.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        let flagKey = key.flatMap { $0.isEmpty ? nil : $0 }
        // A key given explicitly works even beside a damaged login file; the login is then only named.
        let keyGiven = allowKey && (flagKey != nil || environmentKey != nil)
        let stored = keyGiven ? ((try? Credentials.load()) ?? nil) : try Credentials.load()
        let storedPath = stored.map { _ in Credentials.path }
        if let stored, !allowKey || (flagKey == nil && environmentKey == nil) {
            // Signed in with `aerolith auth login`: the stored session, sent only to the server it came from.
            let requested = url ?? environment["AEROLITH_URL"] ?? stored.url
            guard requested.trimmingSuffix("/") == stored.url.trimmingSuffix("/") else {
                throw CLIError(
                    .missingKey,
                    "the stored login at \(Credentials.path) is for \(stored.url), not \(requested); sign in there or give a key")
            }
            return APIClient(
                baseURL: stored.url, key: nil, session: SignedInSession(stored), credential: .storedLogin(path: Credentials.path),
                urlSource: urlSource(otherwise: "the stored sign-in of aerolith auth login"))
        }
        let url = try Self.checked(url ?? environment["AEROLITH_URL"] ?? APIClient.defaultURL)
        if let flagKey {
            return APIClient(
                baseURL: url, key: flagKey, credential: .keyFlag(environmentAlsoSet: environmentKey != nil, storedLogin: storedPath),
                urlSource: urlSource())
        }
        guard let environmentKey else {
            throw CLIError(
                .missingKey, "give an API key with --key or \(CredentialSource.environmentVariable), or sign in with aerolith auth login")
        }
        return APIClient(baseURL: url, key: environmentKey, credential: .keyEnvironment(storedLogin: storedPath), urlSource: urlSource())
    }

    /// A client that presents no credential (signup, login).
    func anonymousClient() throws -> APIClient {
        APIClient(
            baseURL: try Self.checked(url ?? ProcessInfo.processInfo.environment["AEROLITH_URL"] ?? APIClient.defaultURL), key: nil,
            urlSource: urlSource())
    }

    /// Where the server URL came from, for messages about reaching it.
    private func urlSource(otherwise fallback: String = "the default") -> String {
        if url != nil { return "the --url flag" }
        if ProcessInfo.processInfo.environment["AEROLITH_URL"] != nil { return "the environment variable AEROLITH_URL" }
        return fallback
    }

    static func checked(_ url: String) throws -> String {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw CLIError(.invalidArgument, "the server URL must start with http:// or https://")
        }
        return url
    }

    /// Prints `value` as JSON (with `--json`) or as the table `render` makes.
    func output(_ value: JSONValue?, table render: (JSONValue) -> String) {
        guard let value else { return }
        print(json ? JSONWriter.string(value) : render(value))
    }

    /// Reports a command whose answer has no body (204): `text` for a person, or with `--json`
    /// the object of `members` (e.g. `{"deleted": true, "id": "n1"}`).
    func done(_ text: String, _ members: [(String, JSONValue)]) {
        if json {
            print(JSONWriter.string(.object(JSONObject(members: members.map { .init(key: $0.0, value: $0.1) }))))
        } else {
            print(text)
        }
    }
}

/// Runs a client command body, turning failures into a printed `error: <code>: <message>` and
/// the matching exit status.
func runClient(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(error.exitCode)
    }
}

/// Parses JSON given on the command line: inline text, `@file`, or `-` for standard input.
func parseJSONArgument(_ text: String, what: String) throws -> JSONValue {
    var source = text
    if text == "-" {
        source = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    } else if text.hasPrefix("@") {
        guard let data = FileManager.default.contents(atPath: String(text.dropFirst())) else {
            throw CLIError(.invalidArgument, "cannot read \(text.dropFirst())")
        }
        source = String(decoding: data, as: UTF8.self)
    }
    do {
        return try JSONParser.parse(
            source, limits: JSONLimits(depthMax: JSONLimits.standardDepthMax, sizeBytesMax: 2 * JSONLimits.standardSizeBytesMax))
    } catch {
        throw CLIError(.invalidArgument, "\(what) is not valid JSON: \(error.message)")
    }
}

/// A comma-separated option (`--roles a,b`) as a JSON array of trimmed strings; nil if not given.
func commaSeparated(_ list: String?) -> JSONValue? {
    list.map { .array($0.split(separator: ",").map { .string(String($0).trimmingCharacters(in: .whitespaces)) }) }
}
