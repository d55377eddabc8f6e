public struct WorkspaceLoader { public init(root: String, environment: [String: String], secrets: any SecretStore) {}; public func load() throws(WorkspaceError) -> Workspace { throw WorkspaceError([]) } }
public struct EnvironmentSecretStore: SecretStore { public init(environment: [String: String], directory: String?) {}; public func secret(named name: String) -> String? { nil } }
