import ExecutionStore
import Foundation
import Hummingbird

/// The Process Reporting pages under `/reporting/`: executions list, execution detail with its
/// process diagram, captured document contents, the processes with their diagrams,
/// tracked-field search with CSV export, and the hosts of the cluster. Served behind the host's authentication, rendered on the
/// server without scripts.
public struct ReportingRoutes: HostRoutes {
    /// Executions per page of the list.
    public var executionsPerPage: Int
    /// Documents per page of an execution's detail.
    public var documentsPerPage: Int
    /// Executions with more recorded documents than this show only their failed documents.
    public var documentListLimit: Int
    /// The most matches a tracked-field search shows.
    public var searchLimit: Int

    /// Creates the reporting routes.
    public init(executionsPerPage: Int = 50, documentsPerPage: Int = 100, documentListLimit: Int = 50_000,
                searchLimit: Int = 500) {
        self.executionsPerPage = max(1, executionsPerPage)
        self.documentsPerPage = max(1, documentsPerPage)
        self.documentListLimit = max(0, documentListLimit)
        self.searchLimit = max(1, searchLimit)
    }

    /// Adds the `/reporting` routes.
    public func addRoutes(to group: RouterGroup<BasicRequestContext>, server: HostServer) {
        var configured = ReportingPages(store: server.store, workspace: server.host.workspace, routes: self)
        configured.forms = server.forms
        configured.redactor = server.redactor
        if let cluster = server.cluster {
            configured.hostTimeout = ClusterService.seconds(cluster.hostTimeout)
            configured.currentHost = cluster.hostID
        }
        let pages = configured
        // The router treats `/reporting/` as `/reporting`.
        group.get("/reporting") { _, _ in
            Response(status: .seeOther, headers: [.location: "/reporting/executions"])
        }
        group.get("/reporting/executions") { request, _ in
            pages.executions(ReportingPages.parameters(of: request))
        }
        group.get("/reporting/executions/:id") { request, context in
            pages.execution(id: context.parameters.get("id") ?? "", ReportingPages.parameters(of: request))
        }
        group.post("/reporting/executions/:id/retry") { request, context in
            await pages.retryForm(request: request, executionID: context.parameters.get("id") ?? "", server: server)
        }
        group.get("/reporting/executions/:id/documents/:index") { _, context in
            pages.documentContent(executionID: context.parameters.get("id") ?? "",
                                  index: context.parameters.get("index") ?? "")
        }
        group.get("/reporting/executions/:id/documents/:index/raw") { request, context in
            pages.rawContent(executionID: context.parameters.get("id") ?? "", index: context.parameters.get("index") ?? "",
                             ReportingPages.parameters(of: request))
        }
        group.get("/reporting/processes") { _, _ in
            pages.processes()
        }
        group.get("/reporting/processes/:id") { _, context in
            pages.process(id: context.parameters.get("id") ?? "")
        }
        group.get("/reporting/hosts") { _, _ in
            pages.hosts()
        }
        group.get("/reporting/tracked") { request, _ in
            pages.tracked(ReportingPages.parameters(of: request))
        }
        group.get("/reporting/tracked.csv") { request, _ in
            pages.trackedCSV(ReportingPages.parameters(of: request))
        }
    }
}
