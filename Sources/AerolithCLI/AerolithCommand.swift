import AerolithServer
import ArgumentParser

/// The `aerolith` command: the server and a client for its HTTP API.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct AerolithCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "aerolith",
        abstract: "Aerolith: a multi-tenant JSON document database service.",
        discussion: """
            Client commands talk to a running server at --url (env AEROLITH_URL) with the key in --key \
            (env AEROLITH_KEY). Exit status: 0 success, 1 the server refused (its error code is printed), \
            2 bad arguments or configuration, 3 the server could not be reached, 64 a command line that does not parse.
            """,
        version: AerolithVersion.current,
        subcommands: [ServeCommand.self, SignupCommand.self, AuthCommand.self, UserCommand.self, RoleCommand.self, TenantCommand.self, KeyCommand.self,
                      CollectionCommand.self, DocumentCommand.self, PluginCommand.self]
    )

    public init() {}
}
