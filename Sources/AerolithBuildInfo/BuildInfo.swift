/// What this build was made from, recorded before each build by the `BuildInfo` build-tool
/// plugin (`BuildTools/BuildInfo`): the git commit of the checkout and whether tracked files
/// differed from it.
public enum BuildInfo {
    /// The full commit hash, or "unknown" when the sources were not a git checkout.
    public static let commit = generatedCommit
    /// True when tracked files differed from `commit` at build time.
    public static let modified = generatedModified

    /// `commit`, with " (modified)" when the build held uncommitted changes.
    public static var commitDescription: String { modified ? commit + " (modified)" : commit }
}
