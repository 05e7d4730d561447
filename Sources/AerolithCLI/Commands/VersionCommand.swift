import AerolithBuildInfo
import AerolithJSON
import AerolithServer
import ArgumentParser

/// `aerolith version`: the release and the git commit this binary was built from (recorded
/// before every build; see `BuildTools/BuildInfo`).
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the version and the git commit this binary was built from."
    )
    @Flag(help: "Print {\"version\", \"commit\", \"modified\"} as JSON.") var json = false

    static var text: String { "aerolith \(AerolithVersion.current) (commit \(BuildInfo.commitDescription))" }

    func run() {
        if json {
            print(
                JSONWriter.string(
                    .object(
                        JSONObject(members: [
                            .init(key: "version", value: .string(AerolithVersion.current)),
                            .init(key: "commit", value: .string(BuildInfo.commit)),
                            .init(key: "modified", value: .bool(BuildInfo.modified)),
                        ]))))
        } else {
            print(Self.text)
        }
    }
}
