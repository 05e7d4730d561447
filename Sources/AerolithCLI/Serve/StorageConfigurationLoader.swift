import AerolithJSON
import AerolithStorage

/// The `storage` setting: one URL (`--storage`, `AEROLITH_STORAGE`, or a string in the file), or
/// in the file an object `{"default": "main", "targets": {"main": "sqlite:…", "pg-eu": "postgres://…"}}`.
enum StorageConfigurationLoader {
    /// One target named `main` at `url`; `source` names where the URL came from.
    static func single(_ url: String, source: String) throws -> StorageConfiguration {
        do {
            return .single(try StorageLocation(parsing: url))
        } catch {
            throw CLIError(.invalidConfiguration, "storage (\(source)): \(error.message)")
        }
    }

    /// The file's `storage` object.
    static func targets(_ value: JSONValue, path: String) throws -> StorageConfiguration {
        func fail(_ problem: String) -> CLIError { CLIError(.invalidConfiguration, "storage in \(path): \(problem)") }
        guard case .object(let object) = value else { throw fail("must be a URL or an object with default and targets") }
        var defaultTarget: String?
        var targets: [String: StorageLocation] = [:]
        for member in object.members {
            switch (member.key, member.value) {
            case ("default", .string(let name)):
                defaultTarget = name
            case ("targets", .object(let named)):
                for target in named.members {
                    guard case .string(let url) = target.value else { throw fail("targets.\(target.key.prefix(40)) must be a URL string") }
                    do {
                        targets[target.key] = try StorageLocation(parsing: url)
                    } catch {
                        throw fail("targets.\(target.key.prefix(40)): \(error.message)")
                    }
                }
            default:
                throw fail(
                    "unknown or malformed member \"\(member.key.prefix(40))\"; known: default (a target name), targets (object of URLs)")
            }
        }
        do {
            return try StorageConfiguration(
                defaultTarget: defaultTarget ?? StorageConfiguration.singleTargetName, targets: targets)
        } catch {
            throw fail(error.message)
        }
    }
}
