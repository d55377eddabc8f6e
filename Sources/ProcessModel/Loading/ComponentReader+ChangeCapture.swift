extension ComponentReader {
    /// Reads `<cdc>`, reporting each bad attribute at its element (the shape is kept, with the
    /// defaults in place of what is wrong, so that its other problems are reported too).
    mutating func changeCapture(_ element: ParsedElement) -> ChangeCaptureStart {
        let connection = element.attribute("connection") ?? ""
        if connection.isEmpty { report("<cdc> needs connection=\"…\" (a postgresql connection)", at: element) }
        func name(_ attribute: String) -> String {
            let text = element.attribute(attribute) ?? ""
            if text.wholeMatch(of: /[a-z_][a-z0-9_]{0,62}/) == nil {
                report("<cdc \(attribute)=\"\(text)\">: use 1 to 63 lower-case letters, digits and '_', "
                       + "not starting with a digit", at: element)
            }
            return text
        }
        let slot = name("slot")
        let publication = name("publication")
        var tables: [String] = []
        for table in (element.attribute("tables") ?? "").split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" }) {
            if table.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*/) == nil {
                report("<cdc tables>: '\(table)' is not schema.table (plain names: letters, digits, '_')", at: element)
            } else {
                tables.append(String(table))
            }
        }
        var maxBatch = ChangeCaptureStart.defaultMaxBatch
        if let text = element.attribute("maxBatch") {
            if let value = Int(text), (1...1_000_000).contains(value) { maxBatch = value } else {
                report("<cdc maxBatch=\"\(text)\">: use a number of changes from 1 to 1000000", at: element)
            }
        }
        var maxLatency = ChangeCaptureStart.defaultMaxLatency
        if let text = element.attribute("maxLatency") {
            if case .some(.some(let value)) = SettingValues.duration(text), value > .zero, value <= .seconds(3600) {
                maxLatency = value
            } else {
                report("<cdc maxLatency=\"\(text)\">: use a duration like 200ms, 1s or 5m (at most 1h)", at: element)
            }
        }
        var snapshot = false
        if let text = element.attribute("snapshot") {
            if let value = SettingValues.bool(text) { snapshot = value } else {
                report("<cdc snapshot=\"\(text)\">: use true or false", at: element)
            }
        }
        return ChangeCaptureStart(connection: connection, slot: slot, publication: publication, tables: tables,
                                  maxBatch: maxBatch, maxLatency: maxLatency, snapshot: snapshot,
                                  location: element.location)
    }
}
