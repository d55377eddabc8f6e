import Foundation
import Synchronization

/// A date pattern such as `yyyy-MM-dd'T'HH:mm:ssXXX` with the formatter that reads and writes it.
///
/// Patterns follow Unicode (ICU) date symbols, as Java's `SimpleDateFormat` does. Formatting
/// uses the `en_US_POSIX` locale and UTC unless `timeZone` names another zone; a zone in the
/// text being parsed (`XXX`, `Z`, `z`) takes precedence when parsing.
final class DatePattern: Sendable {
    let pattern: String
    /// ICU formatters are not safe for concurrent use, so each call takes this lock.
    private let formatter: Mutex<DateFormatter>

    /// Creates a pattern; nil when `timeZone` is given but unknown.
    init?(_ pattern: String, timeZone: String? = nil) {
        let zone: TimeZone
        if let timeZone {
            guard let named = TimeZone(identifier: timeZone) else { return nil }
            zone = named
        } else {
            zone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? TimeZone.current
        }
        let made = DateFormatter()
        made.locale = Locale(identifier: "en_US_POSIX")
        made.calendar = Calendar(identifier: .gregorian)
        made.timeZone = zone
        made.dateFormat = pattern
        made.isLenient = false
        self.pattern = pattern
        self.formatter = Mutex(made)
    }

    /// Reads `text` in this pattern; nil when it does not match.
    func parse(_ text: String) -> Date? {
        formatter.withLock { $0.date(from: text) }
    }

    /// Writes `date` in this pattern.
    func format(_ date: Date) -> String {
        formatter.withLock { $0.string(from: date) }
    }
}
