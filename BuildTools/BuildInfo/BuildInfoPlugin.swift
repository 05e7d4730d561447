import Foundation
import PackagePlugin

/// Writes `GeneratedBuildInfo.swift` (the checkout's git commit, and whether tracked files were
/// modified) before every build, so that `aerolith version` names the commit it was built from
/// with plain `swift build`. The file is only rewritten when its content changes, so an
/// unchanged checkout recompiles nothing. Outside a git checkout the commit is "unknown".
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let script = """
            set -u
            mkdir -p "$2"
            commit=$(git -C "$1" rev-parse HEAD 2>/dev/null) || commit=unknown
            modified=false
            if [ "$commit" != unknown ] && [ -n "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null)" ]; then modified=true; fi
            file="$2/GeneratedBuildInfo.swift"
            printf '// Generated before each build by BuildTools/BuildInfo; not in git.\\nlet generatedCommit = "%s"\\nlet generatedModified = %s\\n' "$commit" "$modified" > "$file.new"
            if cmp -s "$file.new" "$file"; then rm -f "$file.new"; else mv "$file.new" "$file"; fi
            """
        return [
            .prebuildCommand(
                displayName: "Record the git commit of \(context.package.directoryURL.path)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                environment: [:],
                outputFilesDirectory: output
            )
        ]
    }
}
