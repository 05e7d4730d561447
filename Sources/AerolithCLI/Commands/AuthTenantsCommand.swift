import AerolithJSON
import ArgumentParser
import Foundation

extension AuthCommand {
    /// `aerolith auth tenants --email …`: the tenants to name at sign-in.
    struct Tenants: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the tenants where an email and password sign in (id, slug, name).",
            discussion: "Nothing is shown for an unknown email or a wrong password alike; the server does not say which."
        )
        @Option(help: "The user's email.") var email: String
        @OptionGroup var password: PasswordOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let body = JSONObject(members: [
                    .init(key: "email", value: .string(email)), .init(key: "password", value: .string(try password.password())),
                ])
                let reply = try await options.anonymousClient().send(.POST, "/v1/auth/tenants", body: .object(body))
                let tenants = reply.body.map { Table.items($0, "tenants") } ?? []
                if tenants.isEmpty && !options.json {
                    FileHandle.standardError.write(
                        Data("no tenant signs in with this email and password (or the account is suspended)\n".utf8))
                    return
                }
                options.output(reply.body) { body in
                    Table.render(
                        ["ID", "SLUG", "NAME"],
                        Table.items(body, "tenants").map { tenant in ["id", "slug", "name"].map { Table.text(tenant, $0) } })
                }
            }
        }
    }
}
