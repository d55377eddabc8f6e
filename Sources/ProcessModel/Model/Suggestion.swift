/// "Did you mean …?" hints for names that are not found: the closest known name by edit distance.
public enum Suggestion {
    /// The known name closest to `name` (edit distance counting a swap of two neighbours as one
    /// edit, case-insensitive), when it is close enough to be a likely typo: at most
    /// `maximumDistance` edits, by default a third of the shorter name's length (at least 1).
    /// Ties go to the name that sorts first.
    public static func closest(to name: String, in known: some Sequence<String>, maximumDistance: Int? = nil) -> String? {
        let target = Array(name.lowercased().unicodeScalars)
        var best: (name: String, distance: Int)?
        for candidate in Set(known).sorted() where candidate != name {
            let other = Array(candidate.lowercased().unicodeScalars)
            let limit = maximumDistance ?? max(1, min(target.count, other.count) / 3)
            guard abs(target.count - other.count) <= limit else { continue }
            let distance = Self.distance(target, other)
            guard distance <= limit else { continue }
            if best == nil || distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// `"; did you mean 'x'?"` when a close name exists, otherwise "".
    public static func hint(for name: String, in known: some Sequence<String>, maximumDistance: Int? = nil) -> String {
        closest(to: name, in: known, maximumDistance: maximumDistance).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// The optimal string alignment distance: insertions, deletions, substitutions and swaps of
    /// two neighbouring characters each count one.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var rows = [Array(0...b.count)]
        for i in 1...a.count {
            var row = Array(repeating: 0, count: b.count + 1)
            row[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    row[j] = min(row[j], rows[i - 2][j - 2] + 1)
                }
            }
            rows.append(row)
        }
        return rows[a.count][b.count]
    }
}
