import ProcessEngine
import ProcessModel

/// The settings of a `get-query-results` operation.
struct QueryResultsSettings: Sendable {
    /// The project of jobs whose input names none (the `<projectId>` override or the connection's).
    var projectID: InterpolatedText
    /// The location of jobs whose input names none (`<location>`, else the connection's).
    var location: String?
    /// Rows per page (`maxResults`).
    var maxResults: Int
    /// How long to wait for an unfinished job to complete; nil waits forever.
    var timeout: Duration?
    var returnApplicationErrors: Bool

    static let defaultMaxResults = 1000
    static let defaultTimeout = Duration.seconds(10)

    /// Reads and checks the settings; every problem is returned with its location.
    static func parse(_ operation: OperationDefinition, defaultProject: String,
                      defaultLocation: String?) -> Result<Self, SettingsProblems> {
        var reader = ActionSettingsReader(operation)
        let project = reader.project(default: defaultProject)
        let maxResults = reader.integer("maxResults", in: 1...100_000, default: defaultMaxResults)
        let timeout = reader.duration("timeout", default: defaultTimeout)
        let returnErrors = reader.flag("returnApplicationErrors")
        let location = reader.text("location") ?? defaultLocation
        guard reader.problems.isEmpty, let project else { return .failure(reader.problems) }
        return .success(Self(projectID: project, location: location, maxResults: maxResults,
                             timeout: timeout, returnApplicationErrors: returnErrors))
    }
}
