import Testing
@testable import ProcessModel

@Suite struct ValidWorkspaceTests {
    let environment = ["BQ_PROJECT": "demo-project"]
    let secrets = ["P12_PASSWORD": "p12-pass"]

    func load() throws -> Workspace {
        try WorkspaceLoader(root: fixture("valid"), environment: environment,
                            secrets: DictionarySecrets(values: secrets)).load()
    }

    @Test func loadsEveryComponentWithItsFile() throws {
        let workspace = try load()
        #expect(workspace.processes.keys.sorted() == ["orders-to-bigquery"])
        #expect(workspace.connections.keys.sorted() == ["bigquery-local", "order-inbox"])
        #expect(workspace.operations.keys.sorted() == ["insert-orders", "read-orders"])
        #expect(workspace.profiles.keys.sorted() == ["order", "order-row"])
        #expect(workspace.maps.keys.sorted() == ["order-to-row"])
        #expect(workspace.trackedFields["amount"]?.type == .number)
        #expect(workspace.trackedFields["orderId"]?.location == SourceLocation(file: "processes/tracked-fields.xml", line: 2, column: 3))
        #expect(workspace.files["insert-orders"] == "connectors/insert-orders.xml")
        #expect(workspace.files["orders-to-bigquery"] == "processes/orders.xml")
        #expect(workspace.files["order-to-row"] == "profiles/order-to-row.xml")
        #expect(workspace.root.hasPrefix("/"))
    }

    @Test func processFields() throws {
        let process = try #require(try load().processes["orders-to-bigquery"])
        #expect(process.name == "Orders to BigQuery")
        #expect(process.description == "Load order files into sales.orders")
        #expect(!process.allowSimultaneous && process.stopIfNoDocuments)
        // A start tag spread over two lines is located where it begins.
        #expect(process.location == SourceLocation(file: "processes/orders.xml", line: 2, column: 1))
        #expect(process.schedules == [ScheduleDefinition(cron: "*/15 * * * *", timezone: "Europe/Paris", retries: 2,
                                                         location: SourceLocation(file: "processes/orders.xml", line: 5, column: 3))])
        #expect(process.properties == [ProcessPropertyDefinition(name: "dataset", value: "sales"),
                                       ProcessPropertyDefinition(name: "lastRun", value: "", persist: true)])
        #expect(process.shapes.map(\.id) == ["start", "to-row", "tag", "insert", "done"])
        #expect(process.startShape?.kind == .start(.connector(connection: "order-inbox", operation: "read-orders"), next: "to-row"))
        // The commented-out connector does not shift the locations of later elements.
        #expect(process.shape("to-row")?.location == SourceLocation(file: "processes/orders.xml", line: 15, column: 5))
        #expect(process.shape("to-row")?.kind == .map(map: "order-to-row", next: "tag"))
        #expect(process.shape("insert")?.kind == .connector(connection: "bigquery-local", operation: "insert-orders", next: "done"))
        #expect(process.shape("done")?.kind == .stop(continue: false))
        #expect(process.shape("done")?.location.line == 24)
    }

    @Test func setPropertiesValues() throws {
        let process = try #require(try load().processes["orders-to-bigquery"])
        guard case .setProperties(let assignments, let next)? = process.shape("tag")?.kind else {
            Issue.record("tag is not a setProperties shape")
            return
        }
        #expect(next == "insert")
        #expect(assignments.map(\.name) == ["table", "lastRun"])
        #expect(assignments[0].scope == .document)
        #expect(assignments[0].value.parts == [.literal("orders_"), .currentDate(format: "yyyyMMdd")])
        #expect(assignments[0].value.location == SourceLocation(file: "processes/orders.xml", line: 17, column: 7))
        #expect(assignments[1].scope == .process)
        #expect(assignments[1].value.parts == [.execution(.startTime)])
    }

    @Test func connectionSettingsTreeIsSubstituted() throws {
        let connection = try #require(try load().connections["bigquery-local"])
        #expect(connection.type == "google-bigquery")
        #expect(connection.settings.name == "connection")
        #expect(connection.settings.attributes == ["id": "bigquery-local", "type": "google-bigquery"])
        #expect(connection.settings.text(of: "projectId") == "demo-project")
        let auth = try #require(connection.settings.child("auth"))
        #expect(auth.attributes["grant"] == "jwt-bearer")
        #expect(auth.location == SourceLocation(file: "connectors/bigquery-local.xml", line: 5, column: 3))
        #expect(auth.text(of: "issuer") == "loader@demo-project.iam.gserviceaccount.com")
        #expect(auth.child("signatureKey")?.attributes == ["file": "keys/key.p12", "password": "p12-pass"])
        #expect(connection.settings.child("retry")?.attributes["maxBackoff"] == "32s")
        #expect(connection.settings.children.map(\.name) == ["projectId", "rootUrl", "location", "auth", "retry", "timeouts"])
    }

    @Test func operationTrackingIsSeparatedFromSettings() throws {
        let workspace = try load()
        let operation = try #require(workspace.operations["insert-orders"])
        #expect(operation.action == "streaming-insert")
        #expect(operation.trackingDirection == .output)
        #expect(operation.tracking.map(\.name) == ["orderId", "amount"])
        #expect(operation.tracking[0].value.parts == [.profile(path: "/order_id")])
        #expect(operation.tracking[1].value.parts == [.documentProperty("currency"), .literal(" "), .profile(path: "/total")])
        #expect(operation.tracking[1].value.location == SourceLocation(file: "connectors/insert-orders.xml", line: 8, column: 5))
        #expect(operation.settings.child("tracking") == nil)
        // Run-time interpolation is left for the engine.
        #expect(operation.settings.text(of: "tableId") == "{table}")
        #expect(operation.settings.text(of: "templateSuffix") == "_{{literal}}")
        #expect(operation.settings.child("uniqueConstraints")?.attributes["conflict"] == "UPDATE")
        #expect(operation.settings.text(of: "uniqueConstraints") == "order_id")
        let read = try #require(workspace.operations["read-orders"])
        #expect(read.tracking.isEmpty && read.trackingDirection == .input)
        #expect(read.settings.child("split")?.attributes["by"] == "json-lines")
    }

    @Test func profilesAndMap() throws {
        let workspace = try load()
        let row = try #require(workspace.profiles["order-row"])
        #expect(row.type == .bigQueryTable)
        #expect(row.elements.map(\.name) == ["order_id", "customer", "items"])
        #expect(row.elements[0].required && row.elements[0].mode == "REQUIRED")
        #expect(!row.elements[1].required && row.elements[1].mode == "NULLABLE")
        #expect(row.elements[2].children.map(\.type) == ["STRING", "INT64"])
        // Two elements on one line get their own columns.
        #expect(row.elements[2].children[1].location == SourceLocation(file: "profiles/order-row.xml", line: 5, column: 39))
        let order = try #require(workspace.profiles["order"])
        #expect(order.type == .json)
        #expect(order.elements[0].required && order.elements[0].mode == nil)
        #expect(order.elements[1].children.map(\.name) == ["name"])
        #expect(order.elements[2].format == "yyyy-MM-dd'T'HH:mm:ssXXX")

        let map = try #require(workspace.maps["order-to-row"])
        #expect(map.fromProfile == "order" && map.toProfile == "order-row")
        #expect(map.mappings.map(\.to) == ["/order_id", "/customer", "/total"])
        #expect(map.mappings[1].functions.map(\.name) == ["uppercase"])
        #expect(map.mappings[2].from == nil)
        #expect(map.mappings[2].functions.first?.arguments == [.path("/price"), .literal("2")])
        #expect(map.defaults == [MapDefault(to: "/source", value: "web",
                                            location: SourceLocation(file: "profiles/order-to-row.xml", line: 7, column: 3))])
    }
}
