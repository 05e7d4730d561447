import ArgumentParser
import Foundation

/// `--yes` for destructive commands. Without it the command asks on the terminal; with no
/// terminal (a script, CI) it refuses with `confirmation_required` rather than guessing.
struct ConfirmationOptions: ParsableArguments {
    @Flag(name: [.customShort("y"), .long], help: "Do not ask for confirmation (needed when standard input is not a terminal).")
    var yes = false

    /// Returns when `action` (e.g. "drop collection notes and its 12 documents") is confirmed.
    func confirm(_ action: String) throws {
        if yes { return }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError(
                .confirmationRequired, "this would \(action); pass --yes to confirm (standard input is not a terminal to ask on)")
        }
        FileHandle.standardError.write(Data("This will \(action). Continue? [y/N] ".utf8))
        let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else { throw CLIError(.notConfirmed, "not confirmed; nothing was changed") }
    }
}
