import ProcessModel

/// One box of a process diagram: a shape with its kind and a short description.
public struct DiagramNode: Sendable, Hashable {
    /// The shape id, as written in the process.
    public var id: String
    /// The shape's element name (`start`, `connector`, `decision` …), or `missing` for an exit
    /// that names no shape.
    public var kind: String
    /// A short description: the connection and operation of a connector, a decision's comparison … ("" when none).
    public var detail: String
    /// An extra line (an execution's counts for the shape, …), nil when none.
    public var annotation: String?
    /// A CSS class the SVG adds to the shape's group (such as `failed`), nil when none.
    public var annotationClass: String?

    public init(id: String, kind: String, detail: String = "", annotation: String? = nil, annotationClass: String? = nil) {
        self.id = id
        self.kind = kind
        self.detail = detail
        self.annotation = annotation
        self.annotationClass = annotationClass
    }

    /// The lines drawn in the box: the id, the kind, the detail and the annotation when present.
    var lines: [String] {
        [id, kind] + (detail.isEmpty ? [] : [detail]) + (annotation.map { [$0] } ?? [])
    }
}

/// What kind of exit an edge is, for styling.
public enum DiagramEdgeStyle: String, Sendable, Hashable {
    /// `next`, a branch path, a route value.
    case normal
    /// A decision's `onTrue`.
    case onTrue = "true"
    /// A decision's `onFalse`.
    case onFalse = "false"
    /// A route's `<default>`.
    case fallback = "default"
    /// A tryCatch's `onError`.
    case onError = "error"
}

/// One exit of a shape: from a shape to the shape it sends documents to.
public struct DiagramEdge: Sendable, Hashable {
    /// The index of the source node in ``DiagramGraph/nodes``.
    public var from: Int
    /// The index of the target node.
    public var to: Int
    /// `true`/`false`, a branch path number, a route value, `default`, `try`, `onError`; "" for `next`.
    public var label: String
    public var style: DiagramEdgeStyle

    public init(from: Int, to: Int, label: String = "", style: DiagramEdgeStyle = .normal) {
        self.from = from
        self.to = to
        self.label = label
        self.style = style
    }
}

/// A shape's annotation in a diagram: a line of text in its box and a CSS class on its group.
public struct ShapeAnnotation: Sendable, Hashable {
    public var text: String
    public var cssClass: String

    public init(text: String, cssClass: String = "") {
        self.text = text
        self.cssClass = cssClass
    }
}

/// The shapes of a process and their exits, as a diagram draws them.
public struct DiagramGraph: Sendable, Hashable {
    /// The process id.
    public var processID: String
    /// The process name.
    public var processName: String
    /// One node per shape id in file order (the first shape of a duplicated id), then one
    /// `missing` node per exit that names no shape.
    public var nodes: [DiagramNode]
    /// Every exit of every shape, in file order and exit order.
    public var edges: [DiagramEdge]
    /// The index of the start shape, nil when the process has none.
    public var start: Int?

    public init(processID: String, processName: String, nodes: [DiagramNode], edges: [DiagramEdge], start: Int? = nil) {
        self.processID = processID
        self.processName = processName
        self.nodes = nodes
        self.edges = edges
        self.start = start
    }

    /// The graph of `process`. Every text (ids, details, labels, annotations) goes through
    /// `redactor`, so a substituted secret in a static value never shows.
    public init(process: ProcessDefinition, annotations: [String: ShapeAnnotation] = [:],
                redactor: SecretRedactor = SecretRedactor([])) {
        func clean(_ text: String) -> String { redactor.redact(text) }
        var nodes: [DiagramNode] = []
        var index: [String: Int] = [:]
        var shapes: [ShapeDefinition] = []
        for shape in process.shapes where index[shape.id] == nil {
            index[shape.id] = nodes.count
            shapes.append(shape)
            let annotation = annotations[shape.id]
            nodes.append(DiagramNode(id: clean(shape.id), kind: shape.elementName,
                                     detail: clean(ShapeSummary.detail(of: shape, process: process)),
                                     annotation: annotation.map { clean($0.text) },
                                     annotationClass: annotation.map(\.cssClass).flatMap { $0.isEmpty ? nil : $0 }))
        }
        var edges: [DiagramEdge] = []
        for (from, shape) in shapes.enumerated() {
            for exit in ShapeSummary.exits(of: shape) {
                let to: Int
                if let known = index[exit.target] {
                    to = known
                } else {
                    to = nodes.count
                    index[exit.target] = to
                    nodes.append(DiagramNode(id: clean(exit.target), kind: "missing", detail: "no such shape"))
                }
                edges.append(DiagramEdge(from: from, to: to, label: clean(exit.label), style: exit.style))
            }
        }
        self.init(processID: clean(process.id), processName: clean(process.name), nodes: nodes, edges: edges,
                  start: shapes.firstIndex { $0.elementName == "start" })
    }
}
