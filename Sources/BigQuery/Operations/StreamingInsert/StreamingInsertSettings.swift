import ConveyorBase
import DocumentMapping
import Foundation
import ProcessEngine
import ProcessModel

/// The settings of a `streaming-insert` operation.
struct StreamingInsertSettings: Sendable {
    enum InsertID: Sendable {
        case none
        /// `<execution id>-<document index>`: the same on every retry of a request.
        case generate
        case path(DocumentPath)
    }

    /// Which API writes the rows.
    enum API: String, Sendable {
        case insertAll = "insert-all"
        case storageWrite = "storage-write"
    }

    /// What the storage-write API promises (`<delivery>`).
    enum Delivery: String, Sendable {
        /// The `_default` stream: a retried request may write its rows twice.
        case atLeastOnce = "at-least-once"
        /// A COMMITTED stream with offsets, checkpointed in the engine's ``CheckpointStore``.
        case exactlyOnce = "exactly-once"
    }

    var projectID: InterpolatedText
    var datasetID: InterpolatedText
    var tableID: InterpolatedText
    var templateSuffix: InterpolatedText?
    var batchCount: Int
    var skipInvalidRows: Bool
    var ignoreUnknownValues: Bool
    var returnApplicationErrors: Bool
    var insertID: InsertID
    var api = API.insertAll
    var delivery = Delivery.atLeastOnce
    /// The storage-write sink options (`ifExists`, `unknownColumns`, `deadLetter`, …).
    var sink = StorageSinkSettings()

    /// BigQuery's documented limits for one `insertAll` request.
    static let maxRowsPerRequest = 50_000
    static let maxRequestBytes = 9 * 1024 * 1024
    static let maxRowBytes = 10 * 1024 * 1024

    static func parse(_ operation: OperationDefinition, defaultProject: String) -> Result<Self, SettingsProblems> {
        var problems = SettingsProblems()
        let settings = operation.settings
        func text(_ name: String, required: Bool) -> InterpolatedText? {
            guard let value = settings.text(of: name), !value.isEmpty else {
                if required { problems.add(settings.location, "operation '\(operation.id)' needs a <\(name)>") }
                return nil
            }
            do { return try InterpolatedText(value) } catch {
                problems.add(settings.child(name)?.location ?? settings.location, "<\(name)>: \(error)")
                return nil
            }
        }
        func flag(_ name: String) -> Bool {
            guard let element = settings.child(name) else { return false }
            guard let value = SettingValues.bool(element.text) else {
                problems.add(element.location, "<\(name)> must be true or false, not '\(element.text)'")
                return false
            }
            return value
        }
        let project = text("projectId", required: false)
        let dataset = text("datasetId", required: true)
        let table = text("tableId", required: true)
        let suffix = text("templateSuffix", required: false)
        var batchCount = 500
        if let element = settings.child("batchCount") {
            if let value = Int(element.text), (1...10_000).contains(value) { batchCount = value } else {
                problems.add(element.location, "<batchCount> must be a whole number from 1 to 10000, not '\(element.text)'")
            }
        }
        var insertID = InsertID.generate
        if let element = settings.child("insertId") {
            if let path = element.attributes["path"] {
                do { insertID = .path(try DocumentPath(path)) } catch {
                    problems.add(element.location, "<insertId path=\"\(path)\">: not a valid path")
                }
            } else if element.attributes["generate"] == "false" {
                insertID = .none
            }
        }
        var api = API.insertAll
        if let text = settings.text(of: "api") {
            if let value = API(rawValue: text) { api = value } else {
                problems.add(settings.child("api")?.location ?? settings.location,
                             "<api>\(text)</api> is not known: use insert-all or storage-write")
            }
        }
        var delivery = Delivery.atLeastOnce
        if let element = settings.child("delivery") {
            if let value = Delivery(rawValue: element.text) { delivery = value } else {
                problems.add(element.location, "<delivery>\(element.text)</delivery> is not known: use at-least-once or exactly-once")
            }
            if api != .storageWrite {
                problems.add(element.location, "<delivery> needs <api>storage-write</api>")
            }
        }
        if api == .storageWrite, settings.child("batchCount") == nil { batchCount = 10_000 }
        if api == .storageWrite, let element = settings.child("templateSuffix") {
            problems.add(element.location, "<templateSuffix> is an insert-all feature: storage-write writes to the table itself")
        }
        let sink = StorageSinkSettings.parse(settings, problems: &problems)
        if api != .storageWrite {
            for name in StorageSinkSettings.elementNames {
                if let element = settings.child(name) { problems.add(element.location, "<\(name)> needs <api>storage-write</api>") }
            }
        }
        if sink.uniqueConstraints != nil, delivery == .exactlyOnce, let element = settings.child("uniqueConstraints") {
            problems.add(element.location, "<uniqueConstraints> merges through a staging table: use it with at-least-once delivery")
        }
        if sink.schemaUpdate == .addColumns, delivery == .exactlyOnce, let element = settings.child("schemaUpdate") {
            problems.add(element.location, "<schemaUpdate>add-columns</schemaUpdate> changes the table while its write stream is open: "
                + "use it with at-least-once delivery")
        }
        let skip = flag("skipInvalidRows")
        let ignore = flag("ignoreUnknownValues")
        let returnErrors = flag("returnApplicationErrors")
        guard problems.isEmpty, let dataset, let table else { return .failure(problems) }
        let defaultProjectText = (try? InterpolatedText(BraceTemplate.escaped(defaultProject)))
        guard let projectID = project ?? defaultProjectText else {
            problems.add(settings.location, "project id '\(defaultProject)' is not valid")
            return .failure(problems)
        }
        return .success(Self(projectID: projectID, datasetID: dataset, tableID: table, templateSuffix: suffix,
                             batchCount: batchCount, skipInvalidRows: skip, ignoreUnknownValues: ignore,
                             returnApplicationErrors: returnErrors, insertID: insertID, api: api, delivery: delivery, sink: sink))
    }
}
