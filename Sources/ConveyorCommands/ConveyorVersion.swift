/// The version of Conveyor, printed by `conveyor --version` (the one place it is defined).
public enum ConveyorVersion {
    public static let current = "0.9.0"
}
