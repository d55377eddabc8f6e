import Foundation

/// A fragment of HTML whose interpolated strings are escaped.
///
/// `"<td>\(value)</td>"` escapes `value` with ``escape(_:)``; an interpolated `HTML` value is
/// inserted as it is, and a ``ReportingURL`` is escaped as an attribute value. Every page is built
/// this way, so no value reaches the page unescaped.
struct HTML: ExpressibleByStringInterpolation, Sendable, Equatable {
    /// The markup.
    var markup: String

    init(markup: String) { self.markup = markup }

    init(stringLiteral value: String) { markup = value }

    init(stringInterpolation: StringInterpolation) { markup = stringInterpolation.markup }

    /// Interpolation that escapes everything but HTML fragments.
    struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }

        mutating func appendLiteral(_ literal: String) { markup += literal }

        mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }

        mutating func appendInterpolation(_ text: String?) { markup += HTML.escape(text ?? "") }

        mutating func appendInterpolation(_ number: Int) { markup += String(number) }

        mutating func appendInterpolation(_ fragment: HTML) { markup += fragment.markup }

        mutating func appendInterpolation(_ fragments: [HTML]) {
            for fragment in fragments { markup += fragment.markup }
        }

        mutating func appendInterpolation(_ url: ReportingURL) { markup += HTML.escape(url.text) }
    }

    /// The one escaping function: `&`, `<`, `>`, `"` and `'` become character references, so the
    /// result is safe both as element text and inside a quoted attribute value.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// The two fragments one after the other.
    static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(markup: lhs.markup + rhs.markup) }

    /// Joins fragments with a separator.
    static func join(_ fragments: [HTML], separator: HTML = "") -> HTML {
        HTML(markup: fragments.map(\.markup).joined(separator: separator.markup))
    }
}

/// A path under the host with percent-encoded query parameters.
struct ReportingURL: Sendable, Equatable {
    /// The URL as sent to the browser (before HTML escaping).
    var text: String

    /// `path?name=value&…`, each segment and value percent-encoded; nil or empty values are left out.
    init(_ path: String, _ query: [(String, String?)] = []) {
        var text = path
        let pairs = query.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return Self.percentEncoded(name) + "=" + Self.percentEncoded(value)
        }
        if !pairs.isEmpty { text += "?" + pairs.joined(separator: "&") }
        self.text = text
    }

    /// The path of an execution's page.
    static func execution(_ id: String, page: Int? = nil) -> ReportingURL {
        ReportingURL("/reporting/executions/" + percentEncoded(id), [("page", page.map(String.init))])
    }

    /// Every byte outside the unreserved characters (`A-Z a-z 0-9 - . _ ~`) as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return encoded
    }
}
