import ArgumentParser
import Foundation
import NIOHTTP1

/// Any request with the command's credential: the routes plugins mount (`/v1/audit`…), whose
/// shapes the CLI cannot know, and anything else the API offers.
struct APIRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Send one request to any route, e.g. one a plugin mounts, with the usual credential; prints the answer's body.",
        discussion: """
            Examples:
              aerolith api GET /v1/audit
              aerolith api POST /v1/collections/notes/documents --data '{"title":"hi"}'
            A refusal prints error: <code>: <message> and exits 1, like every command.
            """
    )
    @Argument(help: "GET, POST, PUT, PATCH or DELETE.") var method: String
    @Argument(help: "The path, starting with /, with any query string.") var path: String
    @Option(help: "A JSON body: inline, @file, or - for standard input.") var data: String?
    @Option(name: .customLong("header"), help: "An extra header, \"Name: value\" (repeatable).") var headers: [String] = []
    @OptionGroup var options: ClientOptions

    static let methods: [String: HTTPMethod] = ["GET": .GET, "POST": .POST, "PUT": .PUT, "PATCH": .PATCH, "DELETE": .DELETE]

    func run() async throws {
        try await runClient {
            guard let httpMethod = Self.methods[method.uppercased()] else {
                throw CLIError(
                    .invalidArgument, "the method is one of \(Self.methods.keys.sorted().joined(separator: ", ")), not \(method)")
            }
            guard path.hasPrefix("/") else { throw CLIError(.invalidArgument, "the path starts with /, e.g. /v1/collections") }
            let extra = try headers.map { header -> (String, String) in
                guard let colon = header.firstIndex(of: ":") else {
                    throw CLIError(.invalidArgument, "a header is \"Name: value\", not \(header)")
                }
                return (
                    String(header[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                )
            }
            let body = try data.map { try parseJSONArgument($0, what: "--data") }
            let reply = try await options.client().send(httpMethod, path, body: body, headers: extra)
            if reply.bytes.isEmpty {
                options.done("HTTP \(reply.status)", [("status", .integer(Int64(reply.status)))])
            } else {
                FileHandle.standardOutput.write(Data(reply.bytes))
                if reply.bytes.last != UInt8(ascii: "\n") { print("") }
            }
        }
    }
}
