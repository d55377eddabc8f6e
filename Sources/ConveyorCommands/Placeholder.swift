/// The `conveyor` command-line interface.
public enum ConveyorCLI {
    public static func main() async {}
}
