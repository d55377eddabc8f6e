import ProcessModel

/// The formats a process diagram is drawn in.
public enum DiagramFormat: String, Sendable, CaseIterable {
    /// A self-contained SVG document, laid out by Conveyor itself.
    case svg
    /// Graphviz DOT, for `dot -Tpng` and the like.
    case dot
    /// A Mermaid flowchart, for Markdown that renders Mermaid.
    case mermaid
}

/// Diagrams of processes: every shape with its kind, id and a short detail, every exit labelled,
/// laid out left to right.
///
/// ```swift
/// let svg = ProcessDiagram.svg(for: process, annotations: ["insert": ShapeAnnotation(text: "12 in, 2 failed", cssClass: "failed")])
/// ```
///
/// Annotations add a line to a shape's box and a class to its SVG group: `failed`, `warn` and
/// `ok` are styled by the diagram's own style sheet. Every text goes through `redactor`, so a
/// secret substituted into the process never shows. The output depends only on its inputs.
public enum ProcessDiagram {
    /// The diagram of `process` as a self-contained SVG document.
    public static func svg(for process: ProcessDefinition, annotations: [String: ShapeAnnotation] = [:],
                           redactor: SecretRedactor = SecretRedactor([]), metrics: DiagramMetrics = DiagramMetrics()) -> String {
        let graph = DiagramGraph(process: process, annotations: annotations, redactor: redactor)
        return SVGRenderer.render(DiagramLayout(graph: graph, metrics: metrics))
    }

    /// The diagram of `process` as Graphviz DOT.
    public static func dot(for process: ProcessDefinition, annotations: [String: ShapeAnnotation] = [:],
                           redactor: SecretRedactor = SecretRedactor([])) -> String {
        DOTRenderer.render(DiagramGraph(process: process, annotations: annotations, redactor: redactor))
    }

    /// The diagram of `process` as a Mermaid flowchart.
    public static func mermaid(for process: ProcessDefinition, annotations: [String: ShapeAnnotation] = [:],
                               redactor: SecretRedactor = SecretRedactor([])) -> String {
        MermaidRenderer.render(DiagramGraph(process: process, annotations: annotations, redactor: redactor))
    }

    /// The diagram of `process` in `format`.
    public static func render(_ process: ProcessDefinition, as format: DiagramFormat,
                              annotations: [String: ShapeAnnotation] = [:],
                              redactor: SecretRedactor = SecretRedactor([])) -> String {
        switch format {
        case .svg: return svg(for: process, annotations: annotations, redactor: redactor)
        case .dot: return dot(for: process, annotations: annotations, redactor: redactor)
        case .mermaid: return mermaid(for: process, annotations: annotations, redactor: redactor)
        }
    }

    /// The SVG of an already built graph and its layout (for tests and custom graphs).
    public static func svg(_ layout: DiagramLayout) -> String { SVGRenderer.render(layout) }

    /// The DOT of an already built graph.
    public static func dot(_ graph: DiagramGraph) -> String { DOTRenderer.render(graph) }

    /// The Mermaid flowchart of an already built graph.
    public static func mermaid(_ graph: DiagramGraph) -> String { MermaidRenderer.render(graph) }
}
