import AerolithServer
import ArgumentParser
import Foundation

/// The `aerolith` command: the server and a client for its HTTP API.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct AerolithCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "aerolith",
        abstract: "Aerolith: a multi-tenant JSON document database service.",
        discussion: """
            Client commands talk to a running server at --url (env AEROLITH_URL) with --key, else AEROLITH_KEY, else \
            the login of aerolith auth login (aerolith auth whoami says which was used and why). --json prints JSON \
            for every command. Destructive commands ask first; give --yes where there is no terminal.

            Exit status: 0 success, 1 the server refused (its error code is printed), 2 bad arguments or \
            configuration (or a destructive command left unconfirmed), 3 the server could not be reached, \
            64 a command line that does not parse (or an unknown subcommand).

            Shell completions: aerolith --generate-completion-script bash (or zsh, fish), e.g.
              aerolith --generate-completion-script bash > /etc/bash_completion.d/aerolith
              aerolith --generate-completion-script zsh > "${fpath[1]}/_aerolith"
            """,
        version: VersionCommand.text,
        subcommands: [
            ServeCommand.self, VersionCommand.self, HealthCommand.self, SignupCommand.self, AuthCommand.self, UserCommand.self,
            RoleCommand.self, TenantCommand.self, KeyCommand.self, CollectionCommand.self, IndexCommand.self, DocumentCommand.self,
            UsageCommand.self, PluginCommand.self, APIRequestCommand.self, OpenAPICommand.self, MetricsCommand.self,
            MigrateStorageCommand.self,
        ]
    )

    public init() {}

    /// Parses and runs the command line; an unknown subcommand is named as such (with the
    /// nearest real one) instead of ArgumentParser's "unexpected argument".
    public static func runFromCommandLine() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let unknown = UnknownSubcommand.find(in: arguments, root: Self.self) {
            FileHandle.standardError.write(Data((unknown.error.description + "\n").utf8))
            Foundation.exit(ExitStatus.commandLine)
        }
        await main()
    }
}
