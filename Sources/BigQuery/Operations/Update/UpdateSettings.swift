import ProcessEngine
import ProcessModel

/// The settings of an `update` operation (`tables.update` / `tables.patch`).
struct UpdateSettings: Sendable {
    /// What the documents update, and where its ids come from.
    enum Object: String, Sendable, CaseIterable {
        case table
        case view
        case dynamicTable = "dynamic-table"
        case dynamicView = "dynamic-view"

        /// Ids come from each document's `tableReference` rather than from the settings.
        var isDynamic: Bool { self == .dynamicTable || self == .dynamicView }
        var isView: Bool { self == .view || self == .dynamicView }
    }

    var object: Object
    /// PUT (`tables.update`, the whole resource) when true; PATCH (`tables.patch`) otherwise.
    var fullUpdate: Bool
    var projectID: InterpolatedText
    /// Static ids; nil for dynamic objects.
    var datasetID: InterpolatedText?
    var tableID: InterpolatedText?
    var returnApplicationErrors: Bool

    /// Reads and checks the settings; every problem is returned with its location.
    static func parse(_ operation: OperationDefinition, defaultProject: String) -> Result<Self, SettingsProblems> {
        var reader = ActionSettingsReader(operation)
        let object = reader.choice("object", Object.allCases.map { ($0.rawValue, $0) }, default: .table)
        let full = reader.flag("fullUpdate")
        let project = reader.project(default: defaultProject)
        let dataset = reader.interpolated("datasetId", required: !object.isDynamic)
        let table = reader.interpolated("tableId", required: !object.isDynamic)
        let returnErrors = reader.flag("returnApplicationErrors")
        guard reader.problems.isEmpty, let project else { return .failure(reader.problems) }
        return .success(Self(object: object, fullUpdate: full, projectID: project, datasetID: dataset,
                             tableID: table, returnApplicationErrors: returnErrors))
    }
}
