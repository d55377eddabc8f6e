import ConveyorBase
import Foundation
import ProcessEngine

/// Percent-encoding of the values placed into URLs, and the pieces of URLs the connector reads.
enum HTTPURL {
    /// RFC 3986 unreserved characters: the only ones left as they are.
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// `text` with every byte but the unreserved characters percent-encoded, so a value stays
    /// inside one path segment or one query component (`/`, `?`, `#`, `&`, `=` and `%` included).
    static func encode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return result
    }

    /// A query parameter's name or value, percent-encoded.
    static func encodeQuery(_ text: String) -> String { encode(text) }

    /// The `rel="next"` target of a `Link` header value, if any.
    static func nextLink(in header: String) -> String? {
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimming(.whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let isNext = pieces.dropFirst().contains { parameter in
                let lower = parameter.lowercased().replacingOccurrences(of: " ", with: "")
                guard lower.hasPrefix("rel=") else { return false }
                let relations = lower.dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return relations.split(separator: " ").contains("next")
            }
            if isNext { return String(target.dropFirst().dropLast()) }
        }
        return nil
    }

    /// `scheme://host:port` of an absolute URL, lower-cased, for comparing origins.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased() else { return nil }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }

    /// `reference` resolved against `base` (a next-page link may be relative).
    static func resolve(_ reference: String, against base: String) -> String? {
        guard let baseURL = URL(string: base), let resolved = URL(string: reference, relativeTo: baseURL) else { return nil }
        return resolved.absoluteString
    }

    /// `url` with query parameter `name` set to `value` (replacing any of that name).
    static func setting(_ name: String, to value: String, in url: String) -> String {
        let (base, query) = split(url)
        let encodedName = encodeQuery(name)
        var pairs = query.split(separator: "&").map(String.init).filter {
            $0 != encodedName && !$0.hasPrefix(encodedName + "=")
        }
        pairs.append(encodedName + "=" + encodeQuery(value))
        return base + "?" + pairs.joined(separator: "&")
    }

    private static func split(_ url: String) -> (String, String) {
        var url = url
        if let hash = url.firstIndex(of: "#") { url = String(url[..<hash]) }
        guard let mark = url.firstIndex(of: "?") else { return (url, "") }
        return (String(url[..<mark]), String(url[url.index(after: mark)...]))
    }
}
