import Foundation
import Testing
@testable import ProcessModel

/// Checks exercised on small workspaces written at test time.
@Suite struct WorkspaceCheckTests {
    func diagnostics(_ files: [String: String], environment: [String: String] = [:]) throws -> [String] {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, text) in files { try write(text, to: path, in: root) }
        return lines(ProcessModelTests.diagnostics(of: root.path, environment: environment))
    }

    static let disk = """
        <connection id="files" type="disk"><directory>out</directory></connection>
        """
    static let bigQueryOperation = """
        <operation id="insert" type="google-bigquery" action="streaming-insert">
          <tracking>
            <field name="undeclared"><value source="static" value="x"/></field>
          </tracking>
        </operation>
        """

    @Test func operationTypeMustMatchConnectionTypeAndTrackedFieldsMustBeDeclared() throws {
        let found = try diagnostics([
            "connectors/files.xml": Self.disk,
            "connectors/insert.xml": Self.bigQueryOperation,
            "processes/tracked-fields.xml": "<trackedFields><field name=\"other\" type=\"number\"/></trackedFields>",
            "processes/p.xml": """
                <process id="p">
                  <shapes>
                    <start id="start" next="write"><input/></start>
                    <connector id="write" connection="files" operation="insert" next="end"/>
                    <stop id="end"/>
                  </shapes>
                </process>
                """,
        ])
        #expect(found == [
            "connectors/insert.xml:3:5: error: tracked field 'undeclared' is not declared in processes/tracked-fields.xml",
            "processes/p.xml:4:5: error: shape 'write': operation 'insert' has type 'google-bigquery'"
                + " but connection 'files' has type 'disk'",
        ])
    }

    @Test func startShapeCountAndDuplicateShapeIDs() throws {
        let found = try diagnostics([
            "processes/none.xml": "<process id=\"none\"><shapes><stop id=\"end\"/></shapes></process>",
            "processes/two.xml": """
                <process id="two">
                  <shapes>
                    <start id="a" next="end"><noData/></start>
                    <start id="b" next="end"><noData/></start>
                    <stop id="end"/>
                    <stop id="end"/>
                  </shapes>
                </process>
                """,
        ])
        #expect(found == [
            "processes/none.xml:1:1: error: process 'none' has no start shape",
            "processes/two.xml:4:5: error: process 'two' has more than one start shape; first at processes/two.xml:3:5",
            "processes/two.xml:4:5: error: shape 'b' is unreachable from the start shape",
            "processes/two.xml:6:5: error: duplicate shape id 'end' in process 'two'; first defined at processes/two.xml:5:5",
        ])
    }

    @Test func schemaViolationsInTheIntegratorsWords() throws {
        let found = try diagnostics([
            "processes/p.xml": """
                <process id="p">
                  <shapes>
                    <start id="start" next="route"><noData/></start>
                    <decision id="route" onTrue="end" onFalse="end"/>
                    <map id="m" map="x"/>
                    <stop id="end" continue="maybe" colour="red"/>
                  </shapes>
                </process>
                """,
            "connectors/bad.xml": "<connection id=\"bad\" type=\"ftp\"/>",
            "connectors/op.xml": "<operation id=\"op\" type=\"disk\" action=\"run-job\"/>",
        ])
        #expect(found == [
            "connectors/bad.xml:1:1: error: attribute 'type' of <connection>: The value 'ftp' is not an element"
                + " of the set {'google-bigquery', 'disk', 'postgresql', 'http'}",
            "connectors/op.xml:1:1: error: action 'run-job' is not an action of type 'disk'; expected one of: get, send",
            "processes/p.xml:4:5: error: <decision> is missing a child element; expected one of: left",
            "processes/p.xml:5:5: error: <map> is missing the required attribute 'next'",
            "processes/p.xml:6:5: error: attribute 'continue' of <stop>: 'maybe' is not a valid value of the atomic type 'xs:boolean'",
            "processes/p.xml:6:5: error: unknown attribute 'colour' on <stop>",
        ])
    }

    @Test func valuesNeedTheAttributesOfTheirSource() throws {
        let found = try diagnostics([
            "processes/p.xml": """
                <process id="p">
                  <shapes>
                    <start id="start" next="set"><noData/></start>
                    <setProperties id="set" next="end">
                      <property scope="document" name="a"><value source="profile"/></property>
                    </setProperties>
                    <stop id="end"/>
                  </shapes>
                </process>
                """,
        ])
        #expect(found == ["processes/p.xml:5:43: error: <value source=\"profile\"> needs a 'path' attribute"])
    }

    @Test func postgresqlConnectionsAndOperationsFollowTheSchema() throws {
        let good = try diagnostics([
            "connectors/db.xml": """
                <connection id="db" type="postgresql">
                  <host>127.0.0.1</host><port>5432</port><database>crm</database><user>loader</user>
                  <password>pw</password><sslmode>verify-full</sslmode><caFile>ca.pem</caFile><poolSize>2</poolSize>
                </connection>
                """,
            "connectors/q.xml": """
                <operation id="q" type="postgresql" action="query">
                  <sql>SELECT 1 WHERE $1 = $2</sql>
                  <parameter type="bigint"><value source="profile" path="/id"/></parameter>
                  <parameter><value source="static" value="x"/></parameter>
                </operation>
                """,
            "connectors/e.xml": """
                <operation id="e" type="postgresql" action="execute"><sql>DELETE FROM t</sql><batchCount>10</batchCount></operation>
                """,
        ])
        #expect(good.isEmpty)
        let bad = try diagnostics([
            "connectors/db.xml": """
                <connection id="db" type="postgresql">
                  <hots>127.0.0.1</hots>
                </connection>
                """,
            "connectors/q.xml": #"<operation id="q" type="postgresql" action="get"><sql>SELECT 1</sql></operation>"#,
        ])
        #expect(bad.count == 2)
        #expect(bad.first?.hasPrefix("connectors/db.xml:2:") == true)
        #expect(bad.first?.contains("<hots>") == true)
        #expect(bad.last == "connectors/q.xml:1:1: error: action 'get' is not an action of type 'postgresql'; "
            + "expected one of: query, execute")
    }

    @Test func missingWorkspaceDirectory() {
        let found = lines(ProcessModelTests.diagnostics(of: "/nonexistent/workspace"))
        #expect(found == ["/nonexistent/workspace:1:1: error: workspace directory not found"])
    }

    @Test func emptyWorkspaceLoads() throws {
        #expect(try diagnostics([:]).isEmpty)
    }
}
