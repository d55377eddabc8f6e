import Foundation
import Testing
@testable import ProcessModel

/// Loading xml and csv profiles, lookup tables and map functions, and their validation errors.
@Suite struct ProfileMapLoadingTests {
    func load(_ files: [String: String]) throws -> Result<Workspace, WorkspaceError> {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, text) in files { try write(text, to: path, in: root) }
        let loader = WorkspaceLoader(root: root.path, environment: [:], secrets: DictionarySecrets())
        do {
            return .success(try loader.load())
        } catch {
            return .failure(error)
        }
    }

    func errors(_ files: [String: String]) throws -> [String] {
        switch try load(files) {
        case .success: return []
        case .failure(let error): return lines(error.diagnostics)
        }
    }

    static let xmlProfile = """
        <profile id="xml-order" type="xml" root="order">
          <attribute name="currency"/>
          <element name="id" type="number" required="true"/>
          <element name="item" type="object" maxOccurs="unbounded">
            <element name="sku"/>
          </element>
        </profile>
        """
    static let csvProfile = """
        <profile id="lines" type="csv" delimiter=";" header="true" quote="'">
          <column name="sku" type="character" required="true"/>
          <column name="qty" type="number"/>
        </profile>
        """

    @Test func xmlAndCSVProfilesAndMapWithLookupLoad() throws {
        let map = """
            <map id="m" from="xml-order" to="lines">
              <lookup id="countries"><entry key="DE" value="Germany"/><entry key="FR" value="France"/></lookup>
              <mapping from="/order/item/*/sku" to="/*/sku">
                <function name="replace" pattern="-" replacement="_"/>
                <function name="lookup" table="countries" default="?"/>
              </mapping>
              <mapping from="/order/id"><function name="set-document-property" property="orderId"/></mapping>
              <mapping to="/0/qty"><function name="sequence" start="10" step="5"/></mapping>
            </map>
            """
        let workspace = try load(["profiles/o.xml": Self.xmlProfile, "profiles/l.xml": Self.csvProfile,
                                  "profiles/m.xml": map]).get()
        let xml = try #require(workspace.profiles["xml-order"])
        #expect(xml.type == .xml && xml.options == ["root": "order"])
        #expect(xml.elements.map(\.name) == ["currency", "id", "item"])
        #expect(xml.elements[0].isAttribute && xml.elements[2].repeats && !xml.elements[1].repeats)
        let csv = try #require(workspace.profiles["lines"])
        #expect(csv.options == ["delimiter": ";", "header": "true", "quote": "'"])
        #expect(csv.elements.map(\.required) == [true, false])
        let loaded = try #require(workspace.maps["m"])
        #expect(loaded.lookups == [MapLookup(id: "countries", entries: ["DE": "Germany", "FR": "France"],
                                             location: loaded.lookups[0].location)])
        #expect(loaded.mappings[0].functions.map(\.attributes) == [["pattern": "-", "replacement": "_"],
                                                                   ["table": "countries", "default": "?"]])
        #expect(loaded.mappings[1].to == "" && loaded.mappings[1].functions[0].name == "set-document-property")
    }

    @Test func functionErrorsAreReportedWithFileAndLine() throws {
        let map = """
            <map id="m" from="lines" to="lines">
              <lookup id="t"><entry key="a" value="1"/><entry key="a" value="2"/></lookup>
              <mapping from="/a" to="/b"><function name="upper"/></mapping>
              <mapping from="/a" to="/b"><function name="replace"/></mapping>
              <mapping from="/a" to="/b"><function name="lookup" table="missing"/></mapping>
              <mapping to="/b"><function name="add"><arg value="1"/></function></mapping>
              <mapping from="/a" to="/b"><function name="number-format"/></mapping>
              <mapping from="/a" to="/b"><function name="round" decimals="2"/></mapping>
              <mapping from="/a"><function name="trim"/></mapping>
              <mapping to="/b"><function name="uppercase"/></mapping>
            </map>
            """
        let found = try errors(["profiles/l.xml": Self.csvProfile, "profiles/m.xml": map])
        #expect(found == [
            "profiles/m.xml:2:44: error: lookup 't' has the key 'a' twice",
            "profiles/m.xml:3:30: error: unknown function 'upper'; known functions: concat, substring, uppercase, "
                + "lowercase, trim, replace, date-format, current-date, number-format, add, subtract, multiply, divide, "
                + "round, lookup, default, coalesce, sequence, count, sum, get-document-property, set-document-property, "
                + "get-process-property, set-process-property",
            "profiles/m.xml:4:30: error: function 'replace' needs a 'pattern' attribute",
            "profiles/m.xml:5:30: error: function 'lookup' refers to missing lookup table 'missing' in map 'm'",
            "profiles/m.xml:6:20: error: function 'add' needs 2 operands: the mapped value and <arg>s, or <arg>s alone",
            "profiles/m.xml:7:30: error: function 'number-format' needs 'pattern' or 'decimals'",
            "profiles/m.xml:8:30: error: function 'round' has no attribute 'decimals'; it takes 'scale'",
            "profiles/m.xml:9:3: error: a <mapping> without 'to' must end with set-document-property or set-process-property",
            "profiles/m.xml:10:20: error: function 'uppercase' needs a value: a mapping 'from' or an <arg>",
        ])
    }

    @Test func profileOptionErrors() throws {
        let found = try errors([
            "profiles/x.xml": "<profile id=\"x\" type=\"xml\"><element name=\"a\" maxOccurs=\"lots\"/></profile>",
            "profiles/c.xml": "<profile id=\"c\" type=\"csv\" delimiter=\";;\" root=\"r\"><column name=\"a\"/></profile>",
            "profiles/j.xml": "<profile id=\"j\" type=\"json\"><element name=\"a\" maxOccurs=\"2\"/></profile>",
        ])
        #expect(found == [
            "profiles/c.xml:1:1: error: 'delimiter' of a csv profile must be one ASCII character, not ';;'",
            "profiles/c.xml:1:1: error: 'root' is used only in xml profiles",
            "profiles/j.xml:1:29: error: 'maxOccurs' is used only in xml profiles; use type=\"array\"",
            "profiles/x.xml:1:1: error: an xml profile needs a 'root' attribute naming the document's root element",
            "profiles/x.xml:1:28: error: maxOccurs must be a whole number ≥ 1 or 'unbounded', not 'lots'",
        ])
    }

    @Test func unknownFunctionAttributeIsASchemaError() throws {
        let map = "<map id=\"m\" from=\"lines\" to=\"lines\"><mapping from=\"/a\" to=\"/b\">"
            + "<function name=\"trim\" colour=\"red\"/></mapping></map>"
        let found = try errors(["profiles/l.xml": Self.csvProfile, "profiles/m.xml": map])
        #expect(found.count == 1)
        #expect(found.first?.contains("colour") == true)
    }
}
