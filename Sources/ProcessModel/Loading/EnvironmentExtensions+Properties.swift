extension EnvironmentExtensions {
    /// Sets the overridden process property values (after `${env:}`/`${secret:}` substitution);
    /// returns a diagnostic for each override naming no process or no declared property.
    func applyProperties(to components: inout LoadedComponents, substitution: inout Substitution) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for override in properties {
            guard let processIndex = components.processes.firstIndex(where: { $0.id == override.process }) else {
                if !components.invalidIDs.contains(override.process) {
                    problems.append(Diagnostic(override.element.location,
                        "no process with id '\(override.process)' in the workspace"))
                }
                continue
            }
            let process = components.processes[processIndex]
            guard let propertyIndex = process.properties.firstIndex(where: { $0.name == override.name }) else {
                let declared = process.properties.map(\.name).joined(separator: ", ")
                problems.append(Diagnostic(override.element.location,
                    "process '\(override.process)' declares no property '\(override.name)' "
                    + "(declared: \(declared.isEmpty ? "none" : declared)); an extension may only override declared properties"))
                continue
            }
            var element = override.element
            substitution.apply(to: &element, diagnostics: &problems)
            components.processes[processIndex].properties[propertyIndex].value = element.attribute("value") ?? ""
        }
        return problems
    }
}
