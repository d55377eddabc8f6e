import Foundation

/// Loads every component of a workspace directory, validates it and resolves references.
///
/// Every `*.xml` file under `processes/`, `connectors/` and `profiles/` (recursively, in
/// sorted order) is one component whose root element gives its kind. Each file is checked
/// against the XSD of its kind, `${env:…}` and `${secret:…}` are substituted, and the
/// workspace-wide checks run. All problems are reported together.
public struct WorkspaceLoader: Sendable {
    /// The folders of a workspace that hold components.
    public static let componentFolders = ["processes", "connectors", "profiles"]

    /// The workspace directory.
    public var root: String
    /// The environment that `${env:NAME}` reads.
    public var environment: [String: String]
    /// The store that `${secret:NAME}` reads.
    public var secrets: any SecretStore
    /// An `<extensions>` file applied over the components, or nil for none.
    public var extensionsFile: String?
    /// Files that passed their schema in an earlier load are not validated again: the
    /// workspace's `.conveyor/schema-valid` (see ``SchemaValidationCache``) is read, and written
    /// by a load that succeeds. Off by default (a load then writes nothing).
    public var cachesSchemaValidation = false

    /// Creates a loader for the workspace at `root`, optionally applying an extensions file.
    public init(root: String, environment: [String: String], secrets: any SecretStore,
                extensionsFile: String? = nil) {
        self.root = root
        self.environment = environment
        self.secrets = secrets
        self.extensionsFile = extensionsFile
    }

    /// Loads and validates the workspace.
    ///
    /// - Throws: `WorkspaceError` with every problem found, each at `file:line:col`,
    ///   sorted by file and position. Secret values never appear in its messages.
    public func load() throws(WorkspaceError) -> Workspace {
        let rootPath = URL(fileURLWithPath: root).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rootPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw WorkspaceError([Diagnostic(SourceLocation(file: root, line: 1), "workspace directory not found")])
        }
        var diagnostics: [Diagnostic] = []
        var components = LoadedComponents()
        var substitution = Substitution(environment: environment, secrets: secrets)
        var schemas = SchemaCatalog()
        let extensions = extensionsFile.map { EnvironmentExtensions(path: $0) }
        var cache = cachesSchemaValidation && extensions == nil ? SchemaValidationCache(root: rootPath) : nil
        diagnostics += extensions?.diagnostics ?? []
        for path in componentFiles(in: rootPath) {
            let fileURL = URL(fileURLWithPath: rootPath).appendingPathComponent(path)
            var status = stat()
            if stat(fileURL.path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
                // Named for what it is (Foundation would only say it cannot be read), and not opened.
                diagnostics.append(Diagnostic(SourceLocation(file: path, line: 1),
                                              "not a regular file: a component must be a file (or a link to one)"))
                continue
            }
            guard let data = FileManager.default.contents(atPath: fileURL.path) else {
                diagnostics.append(Diagnostic(SourceLocation(file: path, line: 1), "cannot read the file"))
                continue
            }
            var file = ComponentFile(path: path, bytes: [UInt8](data))
            file.load(schemas: &schemas, substitution: &substitution, into: &components, extensions: extensions,
                      cache: &cache)
            diagnostics += file.diagnostics
        }
        if let extensions {
            diagnostics += extensions.unusedOverrides()
            diagnostics += extensions.applyProperties(to: &components, substitution: &substitution)
        }
        diagnostics += WorkspaceChecker(components: components).check()
        diagnostics = substitution.redacting(diagnostics)
        guard diagnostics.isEmpty else {
            throw WorkspaceError(diagnostics.sortedByLocation())
        }
        cache?.save()
        var workspace = components.workspace(root: rootPath)
        workspace.secretValues = substitution.secretValues
        workspace.extensionsEnvironment = extensions?.environment
        return workspace
    }

    /// Workspace-relative paths of every `*.xml` file in the component folders, sorted.
    func componentFiles(in rootPath: String) -> [String] {
        var paths: [String] = []
        for folder in WorkspaceLoader.componentFolders {
            Self.collectXMLFiles(in: rootPath + "/" + folder, relative: folder, into: &paths)
        }
        return paths.sorted()
    }

    /// Adds `relative/…` for every `*.xml` entry under `directory` that is not a folder (nor a link
    /// to one), descending into subfolders but not into links to folders; a folder that cannot be
    /// read is skipped. What is not a readable regular file is reported by ``load()``. (Read with
    /// `lstat`, not Foundation's directory enumerator, which bridges every name through `NSString`
    /// and cost more than the rest of a small workspace's loading.)
    private static func collectXMLFiles(in directory: String, relative: String, into paths: inout [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            let full = directory + "/" + name
            var entry = stat()
            guard lstat(full, &entry) == 0 else { continue }
            if entry.st_mode & S_IFMT == S_IFDIR {
                collectXMLFiles(in: full, relative: relative + "/" + name, into: &paths)
                continue
            }
            guard name.hasSuffix(".xml") else { continue }
            var target = stat()
            if stat(full, &target) == 0, target.st_mode & S_IFMT == S_IFDIR { continue }
            paths.append(relative + "/" + name)
        }
    }
}

extension [Diagnostic] {
    /// The diagnostics ordered by file, line and column, keeping the order of equal positions.
    func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { lhs, rhs in
            let (a, b) = (lhs.element.location, rhs.element.location)
            if a.file != b.file { return a.file < b.file }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
