import Foundation
internal import CLibXML2

/// An `<extensions environment="…">` file read for one workspace load: replacement settings
/// for connections and operations, and new values for process properties.
///
/// Each `<connection id>`/`<operation id>` child element replaces every setting of the same
/// name in that component (the whole element, attributes included); the component is then
/// validated as usual, so a setting its schema does not allow is reported at the extension's
/// `file:line:col`. Nothing that the component does not already have can be added.
final class EnvironmentExtensions {
    /// One `<connection>` or `<operation>` override.
    struct Override {
        var element: ParsedElement
        var node: xmlNodePtr
        var used = false
    }

    /// One `<property process name value>` override.
    struct PropertyOverride {
        var process: String
        var name: String
        var element: ParsedElement
    }

    /// The file as the user named it; every diagnostic is placed in it.
    let path: String
    /// The `environment` attribute.
    private(set) var environment = ""
    private var document: XMLDocument?
    private var overrides: [ComponentKind: [String: Override]] = [:]
    private(set) var properties: [PropertyOverride] = []
    /// Problems of the file itself.
    private(set) var diagnostics: [Diagnostic] = []

    /// Reads and validates the file at `path` against `extensions.xsd`.
    init(path: String) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            diagnostics.append(Diagnostic(SourceLocation(file: path, line: 1), "cannot read the extensions file"))
            return
        }
        let parsed: XMLDocument
        switch XMLDocument.parse([UInt8](data), path: path) {
        case .success(let document): parsed = document
        case .failure(let error):
            diagnostics += error.diagnostics
            return
        }
        let schema: XMLSchema
        do {
            schema = try XMLSchema.load(named: "extensions")
        } catch {
            diagnostics.append(Diagnostic(parsed.root.location, error.message))
            return
        }
        for error in schema.validateAll(parsed) {
            let location = parsed.location(ofNode: error.node)
                ?? SourceLocation(file: path, line: max(error.line, 1), column: max(error.column, 1))
            let message = SchemaMessage(error.message).rewritten(declaredElements: schema.declaredElements)
            diagnostics.append(Diagnostic(location, message))
        }
        guard diagnostics.isEmpty, let rootNode = xmlDocGetRootElement(parsed.pointer) else { return }
        document = parsed
        environment = parsed.root.attribute("environment") ?? ""
        let nodes = Self.elementChildren(of: rootNode)
        for (element, node) in zip(parsed.root.children, nodes) {
            switch element.name {
            case "connection": add(element, node: node, kind: .connection)
            case "operation": add(element, node: node, kind: .operation)
            case "property":
                let process = element.attribute("process") ?? ""
                let name = element.attribute("name") ?? ""
                if let earlier = properties.first(where: { $0.process == process && $0.name == name }) {
                    diagnostics.append(Diagnostic(element.location,
                        "property '\(name)' of process '\(process)' is already overridden at \(earlier.element.location)"))
                } else {
                    properties.append(PropertyOverride(process: process, name: name, element: element))
                }
            default: break
            }
        }
    }

    private func add(_ element: ParsedElement, node: xmlNodePtr, kind: ComponentKind) {
        let id = element.attribute("id") ?? ""
        if let earlier = overrides[kind]?[id] {
            diagnostics.append(Diagnostic(element.location,
                "\(kind.rawValue) '\(id)' is already overridden at \(earlier.element.location)"))
            return
        }
        overrides[kind, default: [:]][id] = Override(element: element, node: node)
    }

    /// Applies the override for the component in `document`, if there is one, before the
    /// component is validated; returns the settings that the component does not have.
    func apply(to target: XMLDocument, kind: ComponentKind) -> [Diagnostic] {
        guard let source = document, let id = target.root.attribute("id"),
              var override = overrides[kind]?[id] else { return [] }
        override.used = true
        overrides[kind]?[id] = override
        guard let targetRoot = xmlDocGetRootElement(target.pointer) else { return [] }
        var problems: [Diagnostic] = []
        let replacements = Self.elementChildren(of: override.node)
        for (element, replacement) in zip(override.element.children, replacements) {
            let existing = Self.elementChildren(of: targetRoot).filter { LibXML2.string($0.pointee.name) == element.name }
            guard let first = existing.first else {
                problems.append(Diagnostic(element.location,
                    "\(kind.rawValue) '\(id)' has no <\(element.name)> setting to override; "
                    + "an extension may only replace settings the component defines"))
                continue
            }
            guard let copy = xmlDocCopyNode(replacement, target.pointer, 1) else { continue }
            Self.copyLocations(from: replacement, in: source, to: copy, in: target)
            for old in existing {
                Self.forgetLocations(of: old, in: target)
                if old == first {
                    _ = xmlReplaceNode(old, copy)
                } else {
                    xmlUnlinkNode(old)
                }
                xmlFreeNode(old)
            }
        }
        target.rebuildRoot()
        return problems
    }

    /// Overrides that named no component of their kind, as diagnostics.
    func unusedOverrides() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for (kind, byID) in overrides {
            for (id, override) in byID where !override.used {
                problems.append(Diagnostic(override.element.location,
                    "no \(kind.rawValue) with id '\(id)' in the workspace; an extension may only override existing components"))
            }
        }
        return problems
    }

    static func elementChildren(of node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    private static func copyLocations(from original: xmlNodePtr, in source: XMLDocument,
                                      to copy: xmlNodePtr, in target: XMLDocument) {
        if let location = source.locations[UnsafeMutableRawPointer(original)] {
            target.locations[UnsafeMutableRawPointer(copy)] = location
        }
        for (originalChild, copyChild) in zip(elementChildren(of: original), elementChildren(of: copy)) {
            copyLocations(from: originalChild, in: source, to: copyChild, in: target)
        }
    }

    private static func forgetLocations(of node: xmlNodePtr, in document: XMLDocument) {
        document.locations[UnsafeMutableRawPointer(node)] = nil
        for child in elementChildren(of: node) { forgetLocations(of: child, in: document) }
    }
}
