import ProcessModel

/// Why a map could not be compiled or applied.
///
/// `description` reads `profiles/maps.xml:12:5: map 'order-to-row': unknown function 'upper'`
/// for definition problems and `map 'order-to-row': /order_id: required field is missing`
/// when the mapped document does not match the target profile.
public struct MappingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Kind: String, Sendable, Hashable {
        /// The map or a profile it uses is invalid (found when compiling).
        case definition
        /// A value could not be converted to the target profile's type.
        case conversion
        /// A function failed on a value (not a number, date not in its pattern, division by zero).
        case function
        /// The mapped document does not match the target profile; see `violations`.
        case validation
    }

    /// The map's id.
    public var mapID: String
    /// The map, rule or function the problem belongs to; nil for whole-document problems.
    public var location: SourceLocation?
    /// What went wrong.
    public var message: String
    /// The kind of problem.
    public var kind: Kind
    /// For `.validation`, each mismatch with the target profile.
    public var violations: [ProfileViolation]
    /// The index of the document being mapped, when the caller gave one.
    public var documentIndex: Int?

    /// Creates an error.
    public init(mapID: String, location: SourceLocation?, message: String, kind: Kind,
                violations: [ProfileViolation] = [], documentIndex: Int? = nil) {
        self.mapID = mapID
        self.location = location
        self.message = message
        self.kind = kind
        self.violations = violations
        self.documentIndex = documentIndex
    }

    public var description: String {
        let document = documentIndex.map { "document \($0): " } ?? ""
        let prefix = location.map { "\($0): " } ?? ""
        return "\(document)\(prefix)map '\(mapID)': \(message)"
    }
}
