import AerolithCLI

@main
struct AerolithMain {
    static func main() async {
        await AerolithCommand.runFromCommandLine()
    }
}
