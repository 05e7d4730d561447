import ArgumentParser
import Foundation

/// How a command names a tenant. Kept in this one place so that every command accepts the same
/// forms and a new form (e.g. a human name) needs one change.
enum TenantReference {
    /// The path segment of `/v1/tenants/{tenant}` for what the person typed.
    static func pathSegment(_ tenant: String) throws -> String {
        let trimmed = tenant.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw CLIError(.invalidArgument, "--tenant is empty") }
        return trimmed.pathEscaped
    }

    static let help = "The tenant's slug or id (tn_...)."
}

/// An optional `--tenant`: given, the command uses the platform admin's route for that tenant;
/// omitted, the route of the caller's own tenant.
struct OptionalTenantOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "\(TenantReference.help) Given, the platform admin route for that tenant is used; omitted, the signed-in (or key's) own tenant."
        ))
    var tenant: String?

    /// `/v1/tenants/{tenant}` + `suffix` for a named tenant, else `own`.
    func path(_ suffix: String, own: String) throws -> String {
        guard let tenant else { return own }
        return "/v1/tenants/\(try TenantReference.pathSegment(tenant))" + suffix
    }
}
