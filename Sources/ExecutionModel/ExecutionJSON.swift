public import Foundation

/// The encoder and decoder of the execution JSON shape (``ExecutionRecord`` and what embeds it):
/// sorted keys, slashes unescaped, dates as UTC ISO 8601 with milliseconds (`2026-11-21T12:00:00.123Z`).
public enum ExecutionJSON {
    /// An encoder for the execution JSON shape; `pretty` indents it for terminals.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return encoder
    }

    /// A decoder for the execution JSON shape; dates may leave out the fractional seconds.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = date(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not a UTC timestamp like 2026-11-21T12:00:00.123Z")
            }
            return date
        }
        return decoder
    }

    /// `2026-11-21T12:00:00.123Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Parses `2026-11-21T12:00:00Z`, with or without fractional seconds.
    public static func date(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
