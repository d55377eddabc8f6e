/// A settings element of a connection or operation, kept as a small tree so that
/// each connector reads its own settings (the engine knows no connector's vocabulary).
public struct SettingsElement: Sendable, Hashable {
    public var name: String
    public var attributes: [String: String]
    /// The element's text with `${env:…}`/`${secret:…}` already substituted, trimmed.
    public var text: String
    public var children: [SettingsElement]
    public var location: SourceLocation

    public init(name: String, attributes: [String: String] = [:], text: String = "",
                children: [SettingsElement] = [], location: SourceLocation) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
        self.location = location
    }

    /// The first child with this name.
    public func child(_ name: String) -> SettingsElement? { children.first { $0.name == name } }

    /// All children with this name.
    public func children(named name: String) -> [SettingsElement] { children.filter { $0.name == name } }

    /// The trimmed text of the first child with this name, or nil when absent.
    public func text(of name: String) -> String? { child(name)?.text }
}
