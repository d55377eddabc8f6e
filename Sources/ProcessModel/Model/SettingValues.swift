/// Parsing of the setting value forms FORMAT.md defines: durations (`500ms`, `10s`, `5m`, `1h`),
/// sizes (`512KB`, `9MB`) and booleans (`true`/`false`).
public enum SettingValues {
    /// A duration like `500ms`, `10s`, `5m`, `1h`; `-1` means "forever" and returns nil.
    public static func duration(_ text: String) -> Duration?? {
        let trimmed = text.trimming(.whitespaces)
        if trimmed == "-1" { return .some(nil) }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, seconds) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            if suffix == "s", number.hasSuffix("m") { continue }
            guard let value = Double(number), value >= 0 else { return nil }
            return .some(.milliseconds(Int64((value * seconds * 1000).rounded())))
        }
        return nil
    }

    /// A size like `512KB`, `9MB`, `1GB` or a plain byte count.
    public static func size(_ text: String) -> Int? {
        let trimmed = text.trimming(.whitespaces).uppercased()
        let units: [(String, Int)] = [("KB", 1024), ("MB", 1024 * 1024), ("GB", 1024 * 1024 * 1024), ("B", 1)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let value = Int(trimmed.dropLast(suffix.count)), value >= 0 else { return nil }
            return value * factor
        }
        return Int(trimmed)
    }

    /// `true` or `false`.
    public static func bool(_ text: String) -> Bool? {
        switch text.trimming(.whitespaces) {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }
}

import ConveyorBase
import Foundation
