/// Facts about this build of Spindle.
public enum BuildInfo {
    public static let version = "0.1.0"
}
