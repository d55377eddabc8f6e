import Foundation
import ProcessModel
public struct JSONParseError: Error, Sendable, CustomStringConvertible { public var description: String { "stub" } }
public enum JSONParser { public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue { throw JSONParseError() } }
extension JSONValue {
    public func serialized() -> [UInt8] { [] }
    public func serialize(into: inout [UInt8]) {}
    public var textValue: String? { nil }
}
public struct PathError: Error, Sendable {}
public struct DocumentPath: Sendable, Hashable, CustomStringConvertible {
    public init(_ text: String) throws(PathError) {}
    public func values(in: JSONValue) -> [JSONValue] { [] }
    public var description: String { "" }
}
public struct MappingError: Error, Sendable, CustomStringConvertible { public var description: String { "" } }
public struct MapContext: Sendable {
    public var now: Date; public var documentProperties: [String: String]; public var processProperties: [String: String]
    public init(now: Date, documentProperties: [String: String], processProperties: [String: String]) { self.now = now; self.documentProperties = documentProperties; self.processProperties = processProperties }
}
public struct CompiledMap: Sendable {
    public init(map: MapDefinition, profiles: [String: ProfileDefinition]) throws(MappingError) {}
    public func apply(to source: JSONValue, context: MapContext) throws(MappingError) -> JSONValue { source }
}
public struct ProfileViolation: Sendable { public var path: String; public var message: String }
public struct ProfileValidator: Sendable { public init(profile: ProfileDefinition) {}; public func validate(_ value: JSONValue) -> [ProfileViolation] { [] } }
