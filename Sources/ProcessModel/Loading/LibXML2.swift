internal import CLibXML2

/// The one place that prepares libxml2 for use.
enum LibXML2 {
    /// `xmlInitParser` runs exactly once per process (Swift initialises static lets once, thread-safely).
    private static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    /// Initialises libxml2 if needed and silences its unstructured error output on the calling thread.
    ///
    /// Call before any parse or validation; errors are collected through structured handlers instead.
    static func prepare() {
        _ = initialised
        conveyor_xml_silence_generic_errors()
    }

    /// A Swift string from a libxml2 string, or "" for NULL.
    static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }
}

/// One error reported by libxml2 while parsing or validating.
struct XMLError: Hashable {
    var line: Int
    var column: Int
    var message: String
    /// Address of the offending node, when libxml2 names one (validation errors).
    var node: UnsafeMutableRawPointer?
}

/// Collects the structured errors of one parse or one validation.
///
/// An instance is handed to libxml2 as the user data of a single parser or validation
/// context and used only on the thread running that call, so no state is shared.
final class XMLErrorCollector {
    var errors: [XMLError] = []
    /// Where a DOCTYPE declaration was seen (parsing stops there).
    var doctypeLine: Int?

    /// Records one libxml2 error (warnings are ignored).
    func record(_ error: UnsafePointer<xmlError>) {
        let value = error.pointee
        guard value.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let message = value.message.map { String(cString: $0) } ?? "unknown XML error"
        errors.append(XMLError(
            line: Int(value.line),
            column: Int(value.int2),
            message: message.trimmingWhitespace(),
            node: value.node
        ))
    }

    /// The collector stored in a parser context's `_private` field.
    static func from(parserContext context: UnsafeMutableRawPointer?) -> XMLErrorCollector? {
        guard let context else { return nil }
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let stored = parser.pointee._private else { return nil }
        return Unmanaged<XMLErrorCollector>.fromOpaque(stored).takeUnretainedValue()
    }

    /// The collector passed directly as user data (schema contexts).
    static func from(userData: UnsafeMutableRawPointer?) -> XMLErrorCollector? {
        guard let userData else { return nil }
        return Unmanaged<XMLErrorCollector>.fromOpaque(userData).takeUnretainedValue()
    }
}

extension String {
    /// The string without leading and trailing white space.
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}
