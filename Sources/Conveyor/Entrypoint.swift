import ConveyorCommands

@main
struct Entrypoint {
    static func main() async {
        await ConveyorCLI.main()
    }
}
