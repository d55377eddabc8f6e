import Foundation
import Testing
@testable import ProcessModel

/// Which entries of the component folders are read: `*.xml` files and links to them, in
/// subfolders too; never a folder, a link to a folder, or anything that could block a read.
@Suite struct ComponentFileDiscoveryTests {
    /// The valid fixture copied into a temporary workspace, its connectors moved into subfolders.
    func workspace() throws -> URL {
        let root = try temporaryDirectory()
        let source = URL(fileURLWithPath: fixture("valid"))
        for folder in WorkspaceLoader.componentFolders {
            try FileManager.default.copyItem(at: source.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
        let connectors = root.appendingPathComponent("connectors")
        try FileManager.default.createDirectory(at: connectors.appendingPathComponent("bigquery/deeper"),
                                                withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: connectors.appendingPathComponent("bigquery-local.xml"),
                                         to: connectors.appendingPathComponent("bigquery/bigquery-local.xml"))
        try FileManager.default.moveItem(at: connectors.appendingPathComponent("insert-orders.xml"),
                                         to: connectors.appendingPathComponent("bigquery/deeper/insert-orders.xml"))
        return root
    }

    func loader(_ root: URL) -> WorkspaceLoader {
        WorkspaceLoader(root: root.path, environment: ["BQ_PROJECT": "demo-project"],
                        secrets: DictionarySecrets(values: ["P12_PASSWORD": "p12-pass"]))
    }

    @Test("files in subfolders load; folders named *.xml, links to folders and other names are passed over")
    func nestedAndPassedOver() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let profiles = root.appendingPathComponent("profiles")
        // A folder named like a component, holding one: its content is a component, the folder is not.
        try FileManager.default.createDirectory(at: profiles.appendingPathComponent("odd.xml"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: profiles.appendingPathComponent("order.xml"),
                                         to: profiles.appendingPathComponent("odd.xml/order.xml"))
        try Data("not a component".utf8).write(to: profiles.appendingPathComponent("notes.txt"))
        // A link to a folder is not descended into (it would read the connectors twice, or loop).
        try FileManager.default.createSymbolicLink(atPath: profiles.appendingPathComponent("loop").path,
                                                   withDestinationPath: root.path)
        try FileManager.default.createSymbolicLink(atPath: profiles.appendingPathComponent("folder.xml").path,
                                                   withDestinationPath: root.appendingPathComponent("connectors").path)
        // A link to a file is read as the file.
        try FileManager.default.moveItem(at: profiles.appendingPathComponent("order-row.xml"),
                                         to: root.appendingPathComponent("order-row.target"))
        try FileManager.default.createSymbolicLink(atPath: profiles.appendingPathComponent("order-row.xml").path,
                                                   withDestinationPath: root.appendingPathComponent("order-row.target").path)

        let files = loader(root).componentFiles(in: root.path)
        #expect(files == ["connectors/bigquery/bigquery-local.xml", "connectors/bigquery/deeper/insert-orders.xml",
                          "connectors/order-inbox.xml", "connectors/read-orders.xml",
                          "processes/orders.xml", "processes/tracked-fields.xml",
                          "profiles/odd.xml/order.xml", "profiles/order-row.xml", "profiles/order-to-row.xml"])
        let workspace = try loader(root).load()
        #expect(workspace.operations.keys.sorted() == ["insert-orders", "read-orders"])
        #expect(workspace.files["insert-orders"] == "connectors/bigquery/deeper/insert-orders.xml")
        #expect(workspace.profiles.keys.sorted() == ["order", "order-row"])
    }

    @Test("a FIFO named *.xml is reported as not a regular file, a link leading nowhere as unreadable")
    func notRegularFiles() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let fifo = root.appendingPathComponent("processes/pipe.xml").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("connectors/gone.xml").path,
                                                   withDestinationPath: root.appendingPathComponent("nowhere.xml").path)
        let found = lines(diagnostics(of: root.path, environment: ["BQ_PROJECT": "demo-project"],
                                      secrets: ["P12_PASSWORD": "p12-pass"]))
        #expect(found == ["connectors/gone.xml:1:1: error: cannot read the file",
                          "processes/pipe.xml:1:1: error: not a regular file: a component must be a file (or a link to one)"])
    }
}
